/**
 * The password rules as the server applies them (src/platform/auth/passwords.ts), shown beside
 * every new-password field, and the checks the browser can make before asking (length, classes,
 * not the username; the common-password list stays on the server).
 */
import { type FormRule, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

/** How many of upper, lower, digit, other a password uses (letters without case count as other). */
function classCount(v: string): number {
  return [/\p{Lu}/u, /\p{Ll}/u, /\p{Nd}/u, /[^\p{Lu}\p{Ll}\p{Nd}]/u].filter((re) => re.test(v)).length;
}

export function PasswordRules() {
  const { t } = useTranslation();
  return (
    <div data-testid="password-rules" style={{ fontSize: 12, color: 'rgba(0,0,0,0.55)', marginBottom: 12 }}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('people.rules.title')}
      </Typography.Text>
      <ul style={{ margin: '4px 0 0', paddingInlineStart: 18 }}>
        <li>{t('people.rules.length')}</li>
        <li>{t('people.rules.classes')}</li>
        <li>{t('people.rules.username')}</li>
        <li>{t('people.rules.common')}</li>
      </ul>
    </div>
  );
}

/**
 * Form rules for a new password; `username` when known (the own-change form, a reset); optional
 * where a blank field means "generate one".
 */
export function usePasswordRules(username?: string, options: { optional?: boolean } = {}): FormRule[] {
  const { t } = useTranslation();
  return [
    {
      required: !options.optional,
      message: t('people.change.required', { field: t('people.change.new') }),
    },
    {
      validator: (_: unknown, v?: string) => {
        if (!v) return Promise.resolve();
        const length = [...v].length;
        if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH)
          return Promise.reject(new Error(t('people.rules.length')));
        if (classCount(v) < 3) return Promise.reject(new Error(t('people.rules.classes')));
        if (username && v.trim().toLowerCase() === username.trim().toLowerCase())
          return Promise.reject(new Error(t('people.rules.username')));
        return Promise.resolve();
      },
    },
  ];
}
