/** 抽查结果公告: the published result bulletins of supervisory sampling, one per plan (no login). */
import { FileSearchOutlined, RightOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Card, Empty, Flex, Skeleton, Space, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorMessage } from '../api/client';
import { samplingApi, samplingKeys } from '../sampling/api';

export default function PortalSamplingBulletinsPage() {
  const { t } = useTranslation();
  const { data, isPending, error } = useQuery({
    queryKey: samplingKeys.bulletins,
    queryFn: ({ signal }) => samplingApi.bulletins(signal),
    meta: { silent: true },
  });
  const items = data?.items ?? [];
  return (
    <div data-testid="portal-bulletins">
      <Card style={{ marginBottom: 16 }} styles={{ body: { padding: '28px 24px' } }}>
        <Typography.Title level={4} style={{ textAlign: 'center', marginTop: 0 }}>
          <FileSearchOutlined style={{ color: '#1f4e9c', marginInlineEnd: 8 }} />
          {t('sampling.portal.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center', marginBottom: 0 }}>
          {t('sampling.portal.intro')}
        </Typography.Paragraph>
      </Card>
      {isPending ? (
        <Card>
          <Skeleton active />
        </Card>
      ) : error ? (
        <Card>
          <Empty description={errorMessage(error)} />
        </Card>
      ) : items.length === 0 ? (
        <Card>
          <Empty description={t('sampling.portal.empty')} />
        </Card>
      ) : (
        <Flex vertical gap={12}>
          {items.map((b) => (
            <Link
              key={b.planId}
              to={`/portal/sampling/${encodeURIComponent(b.planId)}`}
              data-testid="portal-bulletin-link"
            >
              <Card hoverable size="small">
                <Flex justify="space-between" align="center" gap={12} wrap>
                  <div style={{ minWidth: 0, flex: '1 1 320px' }}>
                    <Typography.Text strong style={{ fontSize: 16, color: '#1f4e9c', display: 'block' }}>
                      {b.title}
                    </Typography.Text>
                    <Space size={16} wrap style={{ marginTop: 4, color: '#8c8c8c', fontSize: 13 }}>
                      <span style={{ fontFamily: 'monospace' }}>{b.code}</span>
                      <span>
                        {t('sampling.portal.publishedOn')}：{b.publishedOn ?? '—'}
                      </span>
                    </Space>
                  </div>
                  <Flex gap={28} align="center">
                    <Statistic
                      title={t('sampling.portal.samples')}
                      value={b.samples}
                      styles={{ content: { fontSize: 20 } }}
                    />
                    <Statistic
                      title={t('sampling.portal.failed')}
                      value={b.failed}
                      styles={{ content: { fontSize: 20, color: b.failed ? '#cf1322' : undefined } }}
                    />
                    <RightOutlined style={{ color: '#bfbfbf' }} />
                  </Flex>
                </Flex>
              </Card>
            </Link>
          ))}
        </Flex>
      )}
    </div>
  );
}
