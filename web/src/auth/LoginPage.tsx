import { LockOutlined, SearchOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { applyFieldErrors, errorMessage, isApiError } from '../api/client';
import { LanguageSwitch } from '../app/AppLayout';
import { FullPageSpin } from '../app/Guards';
import { HEADER_BG, PRIMARY } from '../app/theme';
import { PasswordRules, usePasswordRules } from './PasswordRules';
import { useSession } from './session';

interface LoginForm {
  username: string;
  password: string;
}

interface ChangeForm {
  currentPassword?: string;
  newPassword: string;
  confirm: string;
}

/** Only same-site paths are accepted as a redirect target. */
function safeNext(next: string | null): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) return '/';
  return next;
}

export default function LoginPage() {
  const { t } = useTranslation();
  const [form] = Form.useForm<LoginForm>();
  const [changeForm] = Form.useForm<ChangeForm>();
  const { session, pendingPasswordChange, loading, login, changePassword } = useSession();
  // The password just typed, so the forced change need not ask for it again.
  const typed = useRef<string | null>(null);
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const next = safeNext(params.get('next'));
  const newPasswordRules = usePasswordRules(pendingPasswordChange?.user.username);

  if (loading) return <FullPageSpin />;
  if (session && !submitting) return <Navigate to={next} replace />;

  const onFinish = async (values: LoginForm) => {
    setError(null);
    setSubmitting(true);
    try {
      const s = await login(values.username.trim(), values.password);
      if (s.passwordChangeRequired) {
        typed.current = values.password;
        setSubmitting(false);
        return;
      }
      navigate(next, { replace: true });
    } catch (e) {
      setSubmitting(false);
      setError(e);
      if (isApiError(e)) applyFieldErrors(form, e);
      form.setFieldValue('password', '');
    }
  };

  const onChange = async (values: ChangeForm) => {
    setError(null);
    setSubmitting(true);
    try {
      await changePassword(values.currentPassword ?? typed.current ?? '', values.newPassword);
      typed.current = null;
      navigate(next, { replace: true });
    } catch (e) {
      setSubmitting(false);
      setError(e);
      if (isApiError(e)) applyFieldErrors(changeForm, e);
    }
  };

  let errorText: string | null = null;
  if (error) {
    errorText = errorMessage(error);
    // A lockout (423) message already says until when; a rate limit (429) gets the wait added.
    if (isApiError(error) && error.retryAfter && error.status === 429 && error.code !== 'LOGIN_THROTTLED') {
      errorText = `${errorText} ${t('auth.retryAfter', { seconds: error.retryAfter })}`;
    }
  }

  return (
    <Flex
      vertical
      style={{
        minHeight: '100vh',
        background: `linear-gradient(160deg, ${HEADER_BG} 0%, ${PRIMARY} 45%, #e9eef6 45.1%, #f4f6fa 100%)`,
      }}
    >
      <Flex justify="space-between" align="center" style={{ padding: '16px 32px', color: '#fff' }}>
        <span style={{ fontSize: 14, opacity: 0.9 }}>{t('app.org')}</span>
        <LanguageSwitch dark />
      </Flex>
      <Flex flex={1} align="center" justify="center" style={{ padding: 24 }}>
        <Flex gap={64} align="center" wrap justify="center">
          <div style={{ color: '#fff', maxWidth: 420 }}>
            <Typography.Title level={1} style={{ color: '#fff', margin: 0, letterSpacing: 4 }}>
              {t('app.name')}
            </Typography.Title>
            <Typography.Title level={3} style={{ color: '#fff', marginTop: 8, fontWeight: 400 }}>
              {t('app.shortTitle')}
            </Typography.Title>
          </div>
          <Card style={{ width: 380, boxShadow: '0 8px 24px rgba(15,40,90,0.18)' }}>
            <Typography.Title level={4} style={{ marginTop: 0, marginBottom: 24, textAlign: 'center' }}>
              {pendingPasswordChange ? t('people.forced.title') : t('auth.title')}
            </Typography.Title>
            {errorText && (
              <Alert
                type="error"
                showIcon
                title={errorText}
                style={{ marginBottom: 16 }}
                data-testid="login-error"
              />
            )}
            {pendingPasswordChange ? (
              <Form<ChangeForm>
                form={changeForm}
                layout="vertical"
                requiredMark={false}
                onFinish={onChange}
                size="large"
                data-testid="password-change-form"
              >
                <Alert
                  type="warning"
                  showIcon
                  style={{ marginBottom: 16 }}
                  title={t('people.forced.notice')}
                  data-testid="password-change-notice"
                />
                {!typed.current && (
                  <Form.Item
                    name="currentPassword"
                    label={t('people.change.current')}
                    rules={[{ required: true, message: t('auth.passwordRequired') }]}
                  >
                    <Input.Password autoComplete="current-password" data-testid="change-current" />
                  </Form.Item>
                )}
                <Form.Item name="newPassword" label={t('people.change.new')} rules={newPasswordRules}>
                  <Input.Password autoComplete="new-password" autoFocus data-testid="change-new" />
                </Form.Item>
                <Form.Item
                  name="confirm"
                  label={t('people.change.repeat')}
                  dependencies={['newPassword']}
                  rules={[
                    { required: true, message: t('auth.passwordRequired') },
                    ({ getFieldValue }) => ({
                      validator: (_, v) =>
                        !v || v === getFieldValue('newPassword')
                          ? Promise.resolve()
                          : Promise.reject(new Error(t('people.change.mismatch'))),
                    }),
                  ]}
                >
                  <Input.Password autoComplete="new-password" data-testid="change-confirm" />
                </Form.Item>
                <PasswordRules />
                <Form.Item style={{ marginBottom: 12 }}>
                  <Button
                    type="primary"
                    htmlType="submit"
                    block
                    loading={submitting}
                    data-testid="change-submit"
                  >
                    {t('people.forced.submit')}
                  </Button>
                </Form.Item>
              </Form>
            ) : (
              <Form<LoginForm>
                form={form}
                layout="vertical"
                requiredMark={false}
                onFinish={onFinish}
                size="large"
              >
                <Form.Item
                  name="username"
                  rules={[{ required: true, whitespace: true, message: t('auth.usernameRequired') }]}
                >
                  <Input
                    prefix={<UserOutlined />}
                    placeholder={t('auth.username')}
                    autoComplete="username"
                    autoFocus
                    data-testid="login-username"
                  />
                </Form.Item>
                <Form.Item name="password" rules={[{ required: true, message: t('auth.passwordRequired') }]}>
                  <Input.Password
                    prefix={<LockOutlined />}
                    placeholder={t('auth.password')}
                    autoComplete="current-password"
                    data-testid="login-password"
                  />
                </Form.Item>
                <Form.Item style={{ marginBottom: 12 }}>
                  <Button
                    type="primary"
                    htmlType="submit"
                    block
                    loading={submitting}
                    data-testid="login-submit"
                  >
                    {t('auth.submit')}
                  </Button>
                </Form.Item>
              </Form>
            )}
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 12 }}>
              {t('auth.hint')}
            </Typography.Paragraph>
            <Link to="/portal" data-testid="portal-link">
              <SearchOutlined /> {t('auth.portalLink')}
            </Link>
          </Card>
        </Flex>
      </Flex>
      <div style={{ textAlign: 'center', padding: 16, color: '#8c8c8c', fontSize: 12 }}>
        {t('app.footer')}
      </div>
    </Flex>
  );
}
