import { useQuery } from '@tanstack/react-query';
import { Button, Card, Descriptions, Result, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { errorMessage, isApiError } from '../api/client';
import { creditApi, type PublicReportCheck } from '../api/credit';
import { formatDateTime } from '../components/format';

/**
 * What a credit report's QR code opens: whether the platform issued a report with this number,
 * and for whom and as of when, so the reader can compare it with the paper in hand.
 */
export default function PortalReportVerifyPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { data, isPending, error, refetch } = useQuery({
    queryKey: ['public', 'credit-report', id],
    // The server also sends a check code printed on the report (not in the written contract).
    queryFn: ({ signal }) =>
      creditApi.publicReport(id, signal) as Promise<PublicReportCheck & { checkCode?: string }>,
    meta: { silent: true },
  });

  if (isPending) return <Spin size="large" style={{ display: 'block', margin: '80px auto' }} />;

  const notFound = isApiError(error) && error.status === 404;
  if (error && !notFound)
    return (
      <Card>
        <Result
          status="error"
          title={t('errors.loadFailed')}
          subTitle={errorMessage(error)}
          extra={<Button onClick={() => void refetch()}>{t('common.retry')}</Button>}
        />
      </Card>
    );

  if (notFound || !data?.valid)
    return (
      <Card data-testid="portal-report-invalid">
        <Result
          status="warning"
          title={t('portalCredit.reportInvalid')}
          subTitle={
            <>
              <div style={{ fontFamily: 'monospace', marginBottom: 8 }}>
                {t('portalCredit.reportNo')}：{id}
              </div>
              {t('portalCredit.reportInvalidSub')}
            </>
          }
          extra={<Link to="/portal">{t('portal.backToSearch')}</Link>}
        />
      </Card>
    );

  return (
    <Card data-testid="portal-report-valid">
      <Result
        status="success"
        title={t('portalCredit.reportValid')}
        subTitle={t('portalCredit.reportValidSub')}
        style={{ paddingBottom: 8 }}
      />
      <Descriptions
        bordered
        column={1}
        style={{ maxWidth: 640, margin: '0 auto 24px' }}
        items={[
          {
            key: 'id',
            label: t('portalCredit.reportNo'),
            children: <span style={{ fontFamily: 'monospace' }}>{id}</span>,
          },
          { key: 'name', label: t('enterprise.name'), children: data.name },
          {
            key: 'uscc',
            label: t('enterprise.uscc'),
            children: <span style={{ fontFamily: 'monospace' }}>{data.uscc}</span>,
          },
          { key: 'issued', label: t('portalCredit.issuedAt'), children: formatDateTime(data.issuedAt) },
          { key: 'asOf', label: t('portalCredit.asOf'), children: data.asOf },
          ...(data.checkCode
            ? [
                {
                  key: 'check',
                  label: t('portalCredit.checkCode'),
                  children: (
                    <span style={{ fontFamily: 'monospace', letterSpacing: 1 }}>{data.checkCode}</span>
                  ),
                },
              ]
            : []),
        ]}
      />
      <div style={{ textAlign: 'center' }}>
        <Link to={`/portal/enterprises/${encodeURIComponent(data.uscc)}`}>
          {t('portalCredit.viewCurrent')}
        </Link>
      </div>
    </Card>
  );
}
