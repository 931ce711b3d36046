import { LoginOutlined } from '@ant-design/icons';
import { Flex, Layout, Typography } from 'antd';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet } from 'react-router';
import { LanguageSwitch } from '../app/AppLayout';
import { FullPageSpin } from '../app/Guards';
import { HEADER_BG, PRIMARY } from '../app/theme';

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
