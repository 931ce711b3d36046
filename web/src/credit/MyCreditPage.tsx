/**
 * 我的信用档案: an enterprise user's way to the own credit page. Asks the server which enterprise
 * the signed-in user belongs to (GET /api/v1/credit/mine) and opens /credit/enterprises/{uscc}.
 */
import { useQuery } from '@tanstack/react-query';
import { Card, Result, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate } from 'react-router';
import { isApiError } from '../api/client';
import { creditApi } from '../api/credit';
import { creditKeys, creditPath } from './common';

export default function MyCreditPage() {
  const { t } = useTranslation();
  const mine = useQuery({
    queryKey: creditKeys.mine,
    queryFn: ({ signal }) => creditApi.mine(signal),
    meta: { silent: true },
  });

  if (mine.isPending)
    return (
      <Spin
        size="large"
        aria-label={t('credit.mine.loading')}
        style={{ display: 'block', margin: '80px auto' }}
      />
    );
  if (mine.error || !mine.data) {
    const err = mine.error;
    return (
      <Card>
        <Result
          status={isApiError(err) && err.status === 403 ? '403' : 'error'}
          title={t('credit.mine.failed')}
          subTitle={isApiError(err) ? err.localizedMessage : undefined}
        />
      </Card>
    );
  }
  return <Navigate to={creditPath(mine.data.uscc)} replace />;
}
