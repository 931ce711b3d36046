import { DownloadOutlined, StopOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, Flex, Space, Table, type TableColumnsType, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { errorMessage } from '../api/client';
import { creditApi, creditUrls, type PublicBlacklistItem } from '../api/credit';
import SearchInput from '../components/SearchInput';

/** 严重违法失信名单: the published entries, searchable, read a page at a time (keyset cursor). */
export default function PortalBlacklistPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const q = (params.get('q') ?? '').trim();
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);

  const query = useInfiniteQuery({
    queryKey: ['public', 'blacklist', q],
    queryFn: ({ pageParam, signal }) =>
      creditApi.publicBlacklist({ q: q || undefined, cursor: pageParam || undefined }, signal),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    meta: { silent: true },
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];

  const columns: TableColumnsType<PublicBlacklistItem> = [
    {
      title: t('enterprise.name'),
      dataIndex: 'name',
      key: 'name',
      render: (name: string, row) => (
        <Link to={`/portal/enterprises/${encodeURIComponent(row.uscc)}`} data-testid="portal-blacklist-link">
          {name}
        </Link>
      ),
    },
    {
      title: t('enterprise.uscc'),
      dataIndex: 'uscc',
      key: 'uscc',
      width: 180,
      render: (v: string) => <span style={{ fontFamily: 'monospace' }}>{v}</span>,
    },
    { title: t('enterprise.town'), dataIndex: 'townName', key: 'town', width: 110 },
    { title: t('portalCredit.decisionNo'), dataIndex: 'decisionNo', key: 'decisionNo', width: 200 },
    {
      title: t('portalCredit.listedOn'),
      dataIndex: 'listedOn',
      key: 'listedOn',
      width: 110,
      render: (v: string | null) => v ?? '—',
    },
    {
      title: t('portalCredit.publishedOn'),
      dataIndex: 'publishedOn',
      key: 'publishedOn',
      width: 110,
      render: (v: string | null) => v ?? '—',
    },
    {
      title: t('portalCredit.listExpiresOn'),
      dataIndex: 'expiresOn',
      key: 'expiresOn',
      width: 110,
      render: (v: string | null) => v ?? '—',
    },
  ];

  return (
    <>
      <Card style={{ marginBottom: 16 }} styles={{ body: { padding: '28px 24px' } }}>
        <Typography.Title level={4} style={{ textAlign: 'center', marginTop: 0 }}>
          <StopOutlined style={{ color: '#cf1322', marginInlineEnd: 8 }} />
          {t('portalCredit.blacklistTitle')}
        </Typography.Title>
        <Typography.Paragraph
          type="secondary"
          style={{ textAlign: 'center', maxWidth: 720, margin: '0 auto 20px' }}
        >
          {t('portalCredit.blacklistIntro')}
        </Typography.Paragraph>
        <SearchInput
          size="large"
          value={text}
          onChange={setText}
          onSearch={(v) => setParams(v.trim() ? { q: v.trim() } : {})}
          placeholder={t('portalCredit.blacklistSearch')}
          buttonText={t('portal.searchButton')}
          style={{ maxWidth: 680, display: 'flex', margin: '0 auto' }}
          data-testid="portal-blacklist-search"
        />
      </Card>

      <Card
        styles={{ body: { padding: 0 } }}
        title={
          q ? (
            <Typography.Text type="secondary">{t('portal.resultsFor', { q })}</Typography.Text>
          ) : (
            t('portalCredit.blacklistAll')
          )
        }
        extra={
          <Space size={4}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('portalCredit.openData')}：
            </Typography.Text>
            <Button size="small" type="link" icon={<DownloadOutlined />} href={creditUrls.publicRecordsCsv}>
              CSV
            </Button>
            <Button size="small" type="link" icon={<DownloadOutlined />} href={creditUrls.publicRecordsJson}>
              JSON
            </Button>
          </Space>
        }
      >
        <div data-testid="portal-blacklist">
          <Table<PublicBlacklistItem>
            rowKey="id"
            columns={columns}
            dataSource={items}
            loading={query.isPending}
            pagination={false}
            scroll={{ x: 960 }}
            locale={{
              emptyText: query.isError
                ? errorMessage(query.error)
                : q
                  ? t('portalCredit.blacklistNoMatch')
                  : t('portalCredit.blacklistEmpty'),
            }}
          />
        </div>
        <Flex justify="space-between" align="center" style={{ padding: '12px 16px' }}>
          <Typography.Text type="secondary" data-testid="portal-blacklist-count">
            {t('portalCredit.shown', { n: items.length })}
          </Typography.Text>
          {query.hasNextPage && (
            <Button
              onClick={() => void query.fetchNextPage()}
              loading={query.isFetchingNextPage}
              data-testid="portal-blacklist-more"
            >
              {t('portal.loadMore')}
            </Button>
          )}
        </Flex>
      </Card>
    </>
  );
}
