/** The home page: the first entry of the menu, the index route of the signed-in app. */
import { HomeOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import { Route } from 'react-router';
import type { WebModule } from '../app/webModule';

const HomePage = lazy(() => import('./HomePage'));

export const homeModule: WebModule = {
  menu: { key: 'home', labelKey: 'nav.home', icon: HomeOutlined, status: 'ready', path: '/' },
  routes: <Route index element={<HomePage />} />,
};
