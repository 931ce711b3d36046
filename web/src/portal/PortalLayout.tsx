import { DownloadOutlined, DownOutlined, LoginOutlined } from '@ant-design/icons';
import { Dropdown, Flex, Layout, Typography } from 'antd';
import { type CSSProperties, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { creditUrls } from '../api/credit';
import { LanguageSwitch } from '../app/AppLayout';
import { FullPageSpin } from '../app/Guards';
import { HEADER_BG, PRIMARY } from '../app/theme';

const NAV_LINK: CSSProperties = {
  display: 'inline-flex',
  alignItems: 'center',
  gap: 6,
  height: 44,
  padding: '0 4px',
  borderBottom: '2px solid transparent',
  color: '#262626',
  background: 'none',
  borderTop: 'none',
  borderInline: 'none',
  font: 'inherit',
  cursor: 'pointer',
};
const NAV_ACTIVE: CSSProperties = {
  ...NAV_LINK,
  color: PRIMARY,
  borderBottomColor: PRIMARY,
  fontWeight: 500,
};

/** Enterprise search, the blacklist and the open-data downloads, under the portal header. */
function PortalNav() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const onSearch =
    pathname === '/portal' || pathname === '/portal/' || pathname.startsWith('/portal/enterprises');
  const onBlacklist = pathname.startsWith('/portal/blacklist');
  const onSampling = pathname.startsWith('/portal/sampling');
  return (
    <nav style={{ background: '#fff', borderBottom: '1px solid #e8ecf2' }} data-testid="portal-nav">
      <Flex gap={28} align="center" wrap style={{ maxWidth: 1112, margin: '0 auto', padding: '0 16px' }}>
        <Link to="/portal" style={onSearch ? NAV_ACTIVE : NAV_LINK}>
          {t('portalCredit.nav.search')}
        </Link>
        <Link
          to="/portal/blacklist"
          style={onBlacklist ? NAV_ACTIVE : NAV_LINK}
          data-testid="portal-blacklist-nav"
        >
          {t('portalCredit.nav.blacklist')}
        </Link>
        <Link
          to="/portal/sampling"
          style={onSampling ? NAV_ACTIVE : NAV_LINK}
          data-testid="portal-sampling-nav"
        >
          {t('sampling.portal.nav')}
        </Link>
        <Dropdown
          trigger={['click']}
          menu={{
            items: [
              {
                key: 'csv',
                icon: <DownloadOutlined />,
                label: (
                  <a href={creditUrls.publicRecordsCsv} download data-testid="portal-open-data-csv">
                    {t('portalCredit.nav.csv')}
                  </a>
                ),
              },
              {
                key: 'json',
                icon: <DownloadOutlined />,
                label: (
                  <a href={creditUrls.publicRecordsJson} download data-testid="portal-open-data-json">
                    {t('portalCredit.nav.json')}
                  </a>
                ),
              },
            ],
          }}
        >
          <button type="button" style={NAV_LINK} data-testid="portal-open-data">
            {t('portalCredit.nav.openData')}
            <DownOutlined style={{ fontSize: 10 }} />
          </button>
        </Dropdown>
      </Flex>
    </nav>
  );
}

/** The public portal: no login, its own plain frame. */
export default function PortalLayout() {
  const { t } = useTranslation();
  return (
    <Layout style={{ minHeight: '100vh', background: '#f4f6fa' }}>
      <Layout.Header
        style={{
          background: `linear-gradient(90deg, ${HEADER_BG}, ${PRIMARY})`,
          display: 'flex',
          alignItems: 'center',
          justifyContent: 'space-between',
          gap: 16,
        }}
      >
        <Link to="/portal" style={{ color: '#fff', minWidth: 0 }}>
          <Flex align="center" gap={12}>
            <div
              aria-hidden
              style={{
                width: 32,
                height: 32,
                borderRadius: '50%',
                border: '2px solid #fff',
                display: 'flex',
                alignItems: 'center',
                justifyContent: 'center',
                fontWeight: 700,
                flex: 'none',
              }}
            >
              信
            </div>
            <span
              style={{ fontSize: 18, fontWeight: 600, letterSpacing: 1, whiteSpace: 'nowrap' }}
              data-testid="portal-title"
            >
              {t('portal.title')}
            </span>
          </Flex>
        </Link>
        <Flex gap={20} align="center" style={{ flex: 'none' }}>
          <LanguageSwitch dark />
          <Link to="/login" style={{ color: 'rgba(255,255,255,0.9)' }} data-testid="portal-login-link">
            <LoginOutlined /> {t('portal.loginLink')}
          </Link>
        </Flex>
      </Layout.Header>
      <PortalNav />
      <Layout.Content style={{ padding: '24px 16px' }}>
        <div style={{ maxWidth: 1080, margin: '0 auto' }}>
          <Suspense fallback={<FullPageSpin />}>
            <Outlet />
          </Suspense>
        </div>
      </Layout.Content>
      <Layout.Footer style={{ textAlign: 'center', background: 'transparent' }}>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, maxWidth: 760, margin: '0 auto 4px' }}>
          {t('portal.notice')}
        </Typography.Paragraph>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('app.org')}
        </Typography.Text>
      </Layout.Footer>
    </Layout>
  );
}
