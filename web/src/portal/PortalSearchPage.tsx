import { RightOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, Descriptions, Empty, Flex, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { Page, PublicEnterpriseSummary } from '../api/types';
import { StatusTag } from '../components/EnterpriseBadges';
import SearchInput from '../components/SearchInput';

export default function PortalSearchPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const q = (params.get('q') ?? '').trim();
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);

  const query = useInfiniteQuery({
    queryKey: ['public', 'enterprises', q],
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<PublicEnterpriseSummary>>(
        '/api/v1/public/enterprises',
        { q, cursor: pageParam || undefined },
        signal,
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: q.length >= 2,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <Card style={{ marginBottom: 16 }} styles={{ body: { padding: '32px 24px' } }}>
        <Typography.Title level={4} style={{ textAlign: 'center', marginTop: 0 }}>
          {t('portal.intro')}
        </Typography.Title>
        <SearchInput
          size="large"
          value={text}
          onChange={setText}
          onSearch={(v) => setParams(v.trim() ? { q: v.trim() } : {})}
          placeholder={t('portal.searchPlaceholder')}
          buttonText={t('portal.searchButton')}
          style={{ maxWidth: 680, display: 'flex', margin: '0 auto' }}
          data-testid="portal-search"
        />
      </Card>

      {q && q.length < 2 && (
        <Typography.Text type="secondary" style={{ display: 'block', textAlign: 'center' }}>
          {t('portal.minLength')}
        </Typography.Text>
      )}
      {q.length >= 2 && (
        <div data-testid="portal-results">
          <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 8 }}>
            {t('portal.resultsFor', { q })}
          </Typography.Text>
          {query.isPending ? (
            <Flex justify="center" style={{ padding: 48 }}>
              <Spin />
            </Flex>
          ) : items.length === 0 ? (
            <Card>
              <Empty description={t('portal.noResult')} />
            </Card>
          ) : (
            <Flex vertical gap={12}>
              {items.map((e) => (
                <Link
                  key={e.uscc}
                  to={`/portal/enterprises/${encodeURIComponent(e.uscc)}`}
                  data-testid="portal-result"
                >
                  <Card hoverable size="small">
                    <Flex justify="space-between" align="center" gap={12}>
                      <div style={{ minWidth: 0 }}>
                        <Flex gap={8} align="center" style={{ marginBottom: 6 }}>
                          <Typography.Text strong style={{ fontSize: 16, color: '#1f4e9c' }}>
                            {e.name}
                          </Typography.Text>
                          <StatusTag status={e.status} />
                        </Flex>
                        <Descriptions
                          size="small"
                          column={{ xs: 1, sm: 2, lg: 4 }}
                          items={[
                            {
                              key: 'uscc',
                              label: t('enterprise.uscc'),
                              children: <span style={{ fontFamily: 'monospace' }}>{e.uscc}</span>,
                            },
                            {
                              key: 'lr',
                              label: t('enterprise.legalRepresentative'),
                              children: e.legalRepresentative || '—',
                            },
                            { key: 'town', label: t('enterprise.town'), children: e.townName || '—' },
                            {
                              key: 'reg',
                              label: t('enterprise.registeredOn'),
                              children: e.registeredOn || '—',
                            },
                          ]}
                        />
                      </div>
                      <RightOutlined style={{ color: '#bfbfbf' }} />
                    </Flex>
                  </Card>
                </Link>
              ))}
              {query.hasNextPage && (
                <Flex justify="center">
                  <Button onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
                    {t('portal.loadMore')}
                  </Button>
                </Flex>
              )}
            </Flex>
          )}
        </div>
      )}
    </>
  );
}
