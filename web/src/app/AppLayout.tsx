import {
  DownOutlined,
  GlobalOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Avatar, Dropdown, Flex, Grid, Layout, Menu, type MenuProps, Tag, Typography } from 'antd';
import { type CSSProperties, lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { showApiError, showSuccess } from '../api/client';
import { useSession } from '../auth/session';
import { FullPageSpin } from './Guards';
import { currentLang, LANGS, type Lang, setLang } from './i18n';
import { MODULES, selectedMenuKey } from './modules';
import { HEADER_BG, PRIMARY } from './theme';

const { Header, Sider, Content, Footer } = Layout;
const ChangePasswordModal = lazy(() => import('../auth/ChangePasswordModal'));

/** A button that looks like plain header text. */
const PLAIN_BUTTON: CSSProperties = {
  background: 'none',
  border: 'none',
  padding: 0,
  font: 'inherit',
  cursor: 'pointer',
  display: 'inline-flex',
  alignItems: 'center',
  gap: 6,
};

export function Logo({ compact }: { compact?: boolean }) {
  const { t } = useTranslation();
  return (
    <Flex align="center" gap={10} style={{ minWidth: 0 }}>
      <div
        aria-hidden
        style={{
          width: 32,
          height: 32,
          borderRadius: 6,
          background: '#fff',
          color: HEADER_BG,
          fontWeight: 700,
          fontSize: 18,
          display: 'flex',
          alignItems: 'center',
          justifyContent: 'center',
          flex: 'none',
        }}
      >
        质
      </div>
      <span style={{ color: '#fff', fontSize: 17, fontWeight: 600, letterSpacing: 1, whiteSpace: 'nowrap' }}>
        {t('app.name')}
        {!compact && (
          <span style={{ fontWeight: 400, opacity: 0.85, marginInlineStart: 10, fontSize: 15 }}>
            {t('app.shortTitle')}
          </span>
        )}
      </span>
    </Flex>
  );
}

export function LanguageSwitch({ dark }: { dark?: boolean }) {
  const { i18n } = useTranslation();
  const lang = (i18n.language as Lang) ?? currentLang();
  const items: MenuProps['items'] = LANGS.map((l) => ({ key: l.value, label: l.label }));
  return (
    <Dropdown
      menu={{ items, selectable: true, selectedKeys: [lang], onClick: ({ key }) => setLang(key as Lang) }}
      trigger={['click']}
    >
      <button
        type="button"
        data-testid="lang-switch"
        style={{ ...PLAIN_BUTTON, color: dark ? '#fff' : PRIMARY }}
        aria-label="Language / 语言"
      >
        <GlobalOutlined />
        {LANGS.find((l) => l.value === lang)?.label ?? '中文'}
        <DownOutlined style={{ fontSize: 10 }} />
      </button>
    </Dropdown>
  );
}

export default function AppLayout() {
  const { t, i18n } = useTranslation();
  const { session, can, logout } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  // Below 768 px (a phone: the on-site sampling form) the menu hides behind a button and opens
  // over the page, and the header keeps only the logo, the language and the user's avatar.
  const narrow = Grid.useBreakpoint().md === false;
  const [collapsed, setCollapsed] = useState(() => window.innerWidth < 768);
  const [changingPassword, setChangingPassword] = useState(false);

  const selected = selectedMenuKey(location.pathname);
  const [openKeys, setOpenKeys] = useState<string[]>(() =>
    MODULES.filter((m) => m.children?.length).map((m) => m.key),
  );

  const items = useMemo<MenuProps['items']>(() => {
    const result: NonNullable<MenuProps['items']> = [];
    for (const m of MODULES) {
      if (m.ability && !can(m.ability)) continue;
      const Icon = m.icon;
      if (m.status === 'building') {
        result.push({
          key: m.key,
          icon: <Icon />,
          disabled: true,
          title: `${t(m.labelKey)}（${t('nav.building')}）`,
          label: (
            <Flex justify="space-between" align="center" gap={6}>
              <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{t(m.labelKey)}</span>
              <span style={{ fontSize: 12, color: '#b0b7c3', flex: 'none' }}>{t('nav.building')}</span>
            </Flex>
          ),
        });
        continue;
      }
      if (m.children) {
        const children = m.children
          .filter((c) => !c.ability || can(c.ability))
          .map((c) => ({ key: c.key, label: <Link to={c.path}>{t(c.labelKey)}</Link> }));
        if (!children.length) continue;
        result.push({ key: m.key, icon: <Icon />, label: t(m.labelKey), children });
      } else if (m.path) {
        result.push({ key: m.key, icon: <Icon />, label: <Link to={m.path}>{t(m.labelKey)}</Link> });
      }
    }
    return result;
  }, [can, t]);

  if (!session) return null;
  const { user } = session;

  const userItems: MenuProps['items'] = [
    {
      key: 'who',
      disabled: true,
      label: (
        <div style={{ lineHeight: 1.6 }}>
          <div style={{ color: 'rgba(0,0,0,0.88)' }}>{user.displayName}</div>
          <div style={{ fontSize: 12 }}>
            {user.username} · {t(`roles.${user.role}`)}
          </div>
        </div>
      ),
    },
    { type: 'divider' },
    {
      key: 'password',
      icon: <KeyOutlined />,
      label: <span data-testid="change-password">{t('people.change.menu')}</span>,
    },
    {
      key: 'logout',
      icon: <LogoutOutlined />,
      label: <span data-testid="logout">{t('header.logout')}</span>,
    },
  ];

  const onUserMenu: MenuProps['onClick'] = async ({ key }) => {
    if (key === 'password') {
      setChangingPassword(true);
      return;
    }
    if (key !== 'logout') return;
    try {
      await logout();
      showSuccess(t('header.loggedOut'));
    } catch (e) {
      showApiError(e);
    }
    navigate('/login', { replace: true });
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Header
        style={{
          display: 'flex',
          alignItems: 'center',
          justifyContent: 'space-between',
          gap: 16,
          position: 'sticky',
          top: 0,
          zIndex: 20,
          boxShadow: '0 1px 4px rgba(0,21,41,0.25)',
        }}
      >
        <Flex align="center" gap={12} style={{ minWidth: 0 }}>
          {narrow && (
            <button
              type="button"
              aria-label="Menu / 菜单"
              onClick={() => setCollapsed((c) => !c)}
              style={{ ...PLAIN_BUTTON, color: '#fff', fontSize: 18 }}
              data-testid="menu-toggle"
            >
              <MenuOutlined />
            </button>
          )}
          <Link to="/" style={{ minWidth: 0, overflow: 'hidden' }}>
            <Logo compact={narrow} />
          </Link>
        </Flex>
        <Flex align="center" gap={narrow ? 12 : 20} style={{ flex: 'none' }}>
          {!narrow && (
            <Link to="/portal" style={{ color: 'rgba(255,255,255,0.85)' }} target="_blank">
              {t('header.portal')}
            </Link>
          )}
          <LanguageSwitch dark />
          <Dropdown
            menu={{ items: userItems, onClick: onUserMenu }}
            placement="bottomRight"
            trigger={['click']}
          >
            <button type="button" data-testid="user-menu" style={{ ...PLAIN_BUTTON, color: '#fff', gap: 8 }}>
              <Avatar size="small" icon={<UserOutlined />} style={{ background: '#3a6bc0' }} />
              {!narrow && <span>{user.displayName}</span>}
              {!narrow && (
                <Tag
                  variant="outlined"
                  style={{
                    color: '#dbe6f7',
                    borderColor: 'rgba(255,255,255,0.35)',
                    background: 'transparent',
                  }}
                >
                  {t(`roles.${user.role}`)}
                </Tag>
              )}
              <DownOutlined style={{ fontSize: 10 }} />
            </button>
          </Dropdown>
        </Flex>
      </Header>
      <Layout>
        <Sider
          width={i18n.language === 'en-US' ? 244 : 216}
          collapsible
          collapsed={collapsed}
          onCollapse={setCollapsed}
          breakpoint="md"
          onBreakpoint={setCollapsed}
          collapsedWidth={narrow ? 0 : undefined}
          trigger={narrow ? null : undefined}
          style={{
            borderRight: '1px solid #e8ecf2',
            position: narrow ? 'fixed' : 'sticky',
            top: 56,
            height: 'calc(100vh - 56px)',
            zIndex: narrow ? 30 : undefined,
          }}
        >
          {/* The menu scrolls inside the sider's content box, which ends above the collapse
              trigger (antd pads the sider by the trigger's height): no item hides under it. */}
          <div style={{ height: '100%', overflowY: 'auto' }} data-testid="side-menu">
            <Menu
              mode="inline"
              items={items}
              selectedKeys={selected ? [selected.key] : []}
              openKeys={collapsed ? undefined : openKeys}
              onOpenChange={(keys) => setOpenKeys(keys as string[])}
              onClick={() => narrow && setCollapsed(true)}
              style={{ borderInlineEnd: 'none', paddingBlock: 8 }}
            />
          </div>
        </Sider>
        <Layout>
          <Content style={{ padding: narrow ? 12 : 20, minWidth: 0 }}>
            <Suspense fallback={<FullPageSpin />}>
              <Outlet />
            </Suspense>
          </Content>
          <Footer style={{ textAlign: 'center', color: '#8c8c8c', fontSize: 12, paddingBlock: 12 }}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('app.footer')}
            </Typography.Text>
          </Footer>
        </Layout>
      </Layout>
      {changingPassword && (
        <Suspense fallback={null}>
          <ChangePasswordModal open onClose={() => setChangingPassword(false)} />
        </Suspense>
      )}
    </Layout>
  );
}
