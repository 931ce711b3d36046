import { ArrowLeftOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Descriptions, Result, Space, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api, errorMessage, isApiError } from '../api/client';
import type { PublicEnterprise } from '../api/types';
import { StatusTag } from '../components/EnterpriseBadges';
import { formatDateTime } from '../components/format';

export default function PortalEnterprisePage() {
  const { t } = useTranslation();
  const { uscc = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const {
    data: e,
    isPending,
    error,
  } = useQuery({
    queryKey: ['public', 'enterprise', uscc],
    queryFn: ({ signal }) =>
      api.get<PublicEnterprise>(`/api/v1/public/enterprises/${encodeURIComponent(uscc)}`, undefined, signal),
    meta: { silent: true },
  });

  const back = (
    <Button
      type="link"
      icon={<ArrowLeftOutlined />}
      style={{ paddingInline: 0 }}
      onClick={() => (location.key === 'default' ? navigate('/portal') : navigate(-1))}
    >
      {t('portal.backToSearch')}
    </Button>
  );

  if (isPending) return <Spin size="large" style={{ display: 'block', margin: '80px auto' }} />;
  if (error || !e) {
    const notFound = isApiError(error) && error.status === 404;
    return (
      <Card>
        <Result
          status={notFound ? '404' : 'error'}
          title={notFound ? t('portal.notFound') : t('errors.loadFailed')}
          subTitle={notFound ? uscc : errorMessage(error)}
          extra={<Link to="/portal">{t('portal.backToSearch')}</Link>}
        />
      </Card>
    );
  }

  return (
    <>
      {back}
      <Card
        title={
          <Space size={12} wrap>
            <Typography.Text strong style={{ fontSize: 18 }}>
              {e.name}
            </Typography.Text>
            <StatusTag status={e.status} />
          </Space>
        }
        extra={<Typography.Text type="secondary">{t('portal.detailTitle')}</Typography.Text>}
      >
        <div data-testid="portal-detail">
          <Descriptions
            bordered
            column={{ xs: 1, md: 2 }}
            items={[
              {
                key: 'uscc',
                label: t('enterprise.uscc'),
                children: <span style={{ fontFamily: 'monospace' }}>{e.uscc}</span>,
              },
              { key: 'name', label: t('enterprise.name'), children: e.name },
              {
                key: 'lr',
                label: t('enterprise.legalRepresentative'),
                children: e.legalRepresentative || '—',
              },
              { key: 'status', label: t('enterprise.status'), children: <StatusTag status={e.status} /> },
              { key: 'reg', label: t('enterprise.registeredOn'), children: e.registeredOn || '—' },
              { key: 'town', label: t('enterprise.town'), children: e.townName || '—' },
              {
                key: 'industry',
                label: t('enterprise.industry'),
                children: e.industryName || '—',
                span: { xs: 1, md: 2 },
              },
              {
                key: 'address',
                label: t('enterprise.registeredAddress'),
                children: e.registeredAddress || '—',
                span: { xs: 1, md: 2 },
              },
              { key: 'updated', label: t('enterprise.updatedAt'), children: formatDateTime(e.updatedAt) },
            ]}
          />
        </div>
      </Card>
    </>
  );
}
