import type { ThemeConfig } from 'antd';

export const PRIMARY = '#1f4e9c';
export const HEADER_BG = '#173d7a';

export const FONT_FAMILY =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Helvetica Neue', Arial, sans-serif";

/** A calm government look: one deep blue, small radii, quiet surfaces. */
export const theme: ThemeConfig = {
  token: {
    colorPrimary: PRIMARY,
    colorInfo: PRIMARY,
    colorLink: PRIMARY,
    borderRadius: 4,
    fontFamily: FONT_FAMILY,
    colorBgLayout: '#f0f2f5',
  },
  components: {
    Layout: {
      headerBg: HEADER_BG,
      headerHeight: 56,
      headerPadding: '0 20px',
      siderBg: '#ffffff',
      triggerBg: '#f5f7fa',
      triggerColor: PRIMARY,
    },
    Menu: {
      itemSelectedBg: '#e8eef8',
      itemSelectedColor: PRIMARY,
      subMenuItemBg: '#ffffff',
    },
    Card: {
      headerFontSize: 15,
    },
    Table: {
      headerBg: '#f5f7fa',
    },
  },
};
