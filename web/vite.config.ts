import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.ZHIHUI_API_URL ?? 'http://localhost:3000';

/** Vendor chunks: react, antd (with its rc-components and icons) and echarts are cached separately. */
const vendorChunks: Array<{ name: string; test: RegExp; priority: number }> = [
  {
    name: 'react',
    test: /[\\/]node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/,
    priority: 30,
  },
  { name: 'echarts', test: /[\\/]node_modules[\\/](echarts|zrender|tslib)[\\/]/, priority: 20 },
  {
    name: 'antd',
    test: /[\\/]node_modules[\\/](antd|@ant-design|@rc-component|rc-[^\\/]+|@emotion|dayjs|classnames|clsx|stylis|throttle-debounce|scroll-into-view-if-needed|compute-scroll-into-view|copy-to-clipboard|toggle-selection|@babel[\\/]runtime)[\\/]/,
    priority: 10,
  },
];

export default defineConfig({
  root,
  base: '/',
  // Keep Vite's dependency cache in the repository's node_modules, not in web/.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite', import.meta.url)),
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
    },
  },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1600,
    rolldownOptions: {
      output: {
        // Vite 8 bundles with Rolldown: `codeSplitting.groups` is its manualChunks.
        codeSplitting: { groups: vendorChunks },
      },
    },
  },
});
