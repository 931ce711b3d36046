import {
  DownloadOutlined,
  FileExcelOutlined,
  LeftOutlined,
  PlusOutlined,
  RightOutlined,
  UploadOutlined,
} from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Card, Flex, Select, Space, Table, type TableColumnsType, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { api, queryString } from '../api/client';
import { useRefNames } from '../api/reference';
import type { EnterpriseSummary, Page } from '../api/types';
import { useScope } from '../app/scope';
import { useSession } from '../auth/session';
import {
  SCALES,
  ScaleText,
  STATUSES,
  StatusTag,
  TagList,
  useTagOptions,
} from '../components/EnterpriseBadges';
import PageTitle from '../components/PageTitle';
import { IndustrySelect, TownSelect } from '../components/RefSelects';
import SearchInput from '../components/SearchInput';
import EnterpriseFormDrawer from './EnterpriseFormDrawer';
import { filtersFromParams, paramsFromFilters, type RegistryFilters } from './filters';
import { ProductCategoryTreeSelect } from './ProductCategories';

const PAGE_SIZE = 20;

interface ListState {
  /** Cursors of the pages before this one ('' = the first page), for "上一页". */
  cursors?: string[];
}

export default function EnterpriseListPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const scope = useScope();
  const names = useRefNames();
  const navigate = useNavigate();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const cursor = params.get('cursor');
  const stack = ((location.state as ListState | null)?.cursors ?? []).filter((c) => typeof c === 'string');
  const [keyword, setKeyword] = useState(filters.q ?? '');
  const tagOptions = useTagOptions();
  const [creating, setCreating] = useState(false);

  useEffect(() => setKeyword(filters.q ?? ''), [filters.q]);

  const { data, isFetching, isPending } = useQuery({
    queryKey: ['enterprises', 'list', filters, cursor],
    queryFn: ({ signal }) =>
      api.get<Page<EnterpriseSummary>>(
        '/api/v1/enterprises',
        { ...filters, cursor: cursor ?? undefined, limit: PAGE_SIZE },
        signal,
      ),
    placeholderData: keepPreviousData,
  });

  const setFilter = (patch: Partial<RegistryFilters>) => {
    const next = { ...filters, ...patch };
    setParams(paramsFromFilters(next), { state: { cursors: [] } satisfies ListState });
  };

  const goNext = () => {
    if (!data?.nextCursor) return;
    setParams(paramsFromFilters(filters, data.nextCursor), {
      state: { cursors: [...stack, cursor ?? ''] } satisfies ListState,
    });
  };
  const goPrev = () => {
    const prev = stack.length ? stack[stack.length - 1] : '';
    setParams(paramsFromFilters(filters, prev || null), {
      state: { cursors: stack.slice(0, -1) } satisfies ListState,
    });
  };

  const pageNo = cursor ? stack.length + 1 : 1;
  const exportQuery = queryString({ ...filters });

  const columns: TableColumnsType<EnterpriseSummary> = [
    {
      title: t('enterprise.name'),
      dataIndex: 'name',
      key: 'name',
      ellipsis: true,
      width: 240,
      render: (name: string, row) => (
        <Link
          to={`/registry/enterprises/${encodeURIComponent(row.uscc)}`}
          onClick={(e) => e.stopPropagation()}
        >
          {name}
        </Link>
      ),
    },
    {
      title: t('enterprise.uscc'),
      dataIndex: 'uscc',
      key: 'uscc',
      width: 175,
      render: (v: string) => <Typography.Text style={{ fontFamily: 'monospace' }}>{v}</Typography.Text>,
    },
    {
      title: t('enterprise.legalRepresentative'),
      dataIndex: 'legalRepresentative',
      key: 'lr',
      width: 90,
      ellipsis: true,
    },
    {
      title: t('enterprise.town'),
      key: 'town',
      width: 120,
      ellipsis: true,
      render: (_, row) => names.town(row.townCode, row.townName),
    },
    {
      title: t('enterprise.industry'),
      key: 'industry',
      ellipsis: true,
      render: (_, row) => names.industry(row.industryCode, row.industryName),
    },
    {
      title: t('enterprise.registeredOn'),
      dataIndex: 'registeredOn',
      key: 'registeredOn',
      width: 105,
      render: (v) => v || '—',
    },
    {
      title: t('enterprise.scale'),
      dataIndex: 'scale',
      key: 'scale',
      width: 80,
      render: (s) => <ScaleText scale={s} />,
    },
    {
      title: t('enterprise.status'),
      dataIndex: 'status',
      key: 'status',
      width: 76,
      render: (s) => <StatusTag status={s} />,
    },
    {
      title: t('enterprise.tags'),
      dataIndex: 'tags',
      key: 'tags',
      width: 160,
      render: (tags) => <TagList tags={tags} />,
    },
  ];

  return (
    <>
      <PageTitle
        title={t('registry.listTitle')}
        subtitle={
          scope.kind === 'town'
            ? t('registry.listSubtitleTown', { area: scope.area })
            : t('registry.listSubtitle')
        }
        extra={
          <>
            {can('enterprise.create') && (
              <Button icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                {t('registry.create')}
              </Button>
            )}
            {can('enterprise.import') && (
              <Button
                icon={<UploadOutlined />}
                onClick={() => navigate('/registry/import')}
                data-testid="enterprise-import"
              >
                {t('registry.import')}
              </Button>
            )}
            {can('enterprise.export') && (
              <Space.Compact>
                <Button
                  icon={<DownloadOutlined />}
                  href={`/api/v1/exports/enterprises.csv${exportQuery}`}
                  title={t('registry.exportHint')}
                  data-testid="export-csv"
                >
                  {t('registry.exportCsv')}
                </Button>
                <Button
                  icon={<FileExcelOutlined />}
                  href={`/api/v1/exports/enterprises.xlsx${exportQuery}`}
                  title={t('registry.exportHint')}
                  data-testid="export-xlsx"
                >
                  {t('registry.exportXlsx')}
                </Button>
              </Space.Compact>
            )}
          </>
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Flex wrap gap={12} align="center">
          <SearchInput
            value={keyword}
            onChange={setKeyword}
            onSearch={(v) => setFilter({ q: v.trim() || undefined })}
            placeholder={t('registry.keyword')}
            buttonText={t('common.search')}
            style={{ width: 300 }}
            data-testid="enterprise-search"
          />
          <TownSelect
            value={filters.town}
            onChange={(v) => setFilter({ town: v })}
            only={scope.kind === 'town' ? scope.townCode : undefined}
            style={{ width: 140 }}
          />
          <IndustrySelect
            value={filters.industry}
            onChange={(v) => setFilter({ industry: v })}
            style={{ width: 180 }}
          />
          <Select
            value={filters.status}
            onChange={(v?: string) => setFilter({ status: v })}
            placeholder={t('registry.statusPlaceholder')}
            allowClear
            style={{ width: 110 }}
            options={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
            data-testid="enterprise-status"
          />
          <Select
            value={filters.scale}
            onChange={(v?: string) => setFilter({ scale: v })}
            placeholder={t('registry.scalePlaceholder')}
            allowClear
            style={{ width: 110 }}
            options={SCALES.map((s) => ({ value: s, label: t(`scale.${s}`) }))}
            data-testid="enterprise-scale"
          />
          <Select
            value={filters.tag}
            onChange={(v?: string) => setFilter({ tag: v })}
            placeholder={t('registry.tagPlaceholder')}
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            style={{ width: 150 }}
            options={tagOptions}
            popupMatchSelectWidth={false}
            data-testid="enterprise-tag"
          />
          <ProductCategoryTreeSelect
            value={filters.productCategory}
            onChange={(v) => setFilter({ productCategory: typeof v === 'string' && v ? v : undefined })}
            placeholder={t('registry.products.filter')}
            style={{ width: 180 }}
            data-testid="enterprise-product-category"
          />
          <Button onClick={() => setParams({}, { state: { cursors: [] } })} disabled={!params.size}>
            {t('common.reset')}
          </Button>
        </Flex>
      </Card>
      <Card styles={{ body: { padding: 0 } }}>
        <div data-testid="enterprise-table">
          <Table<EnterpriseSummary>
            rowKey="uscc"
            columns={columns}
            dataSource={data?.items ?? []}
            loading={isPending || isFetching}
            pagination={false}
            size="middle"
            scroll={{ x: 1150 }}
            locale={{ emptyText: t('registry.empty') }}
            onRow={(row) => ({
              onClick: () => navigate(`/registry/enterprises/${encodeURIComponent(row.uscc)}`),
              style: { cursor: 'pointer' },
            })}
          />
        </div>
        <Flex justify="space-between" align="center" style={{ padding: '12px 16px' }}>
          <Typography.Text type="secondary" data-testid="enterprise-page-info">
            {t('registry.pageInfo', { n: pageNo, count: data?.items.length ?? 0 })}
          </Typography.Text>
          <Space>
            <Button icon={<LeftOutlined />} disabled={!cursor} onClick={goPrev} data-testid="enterprise-prev">
              {t('common.prev')}
            </Button>
            <Button disabled={!data?.nextCursor} onClick={goNext} data-testid="enterprise-next">
              {t('common.next')} <RightOutlined />
            </Button>
          </Space>
        </Flex>
      </Card>
      <EnterpriseFormDrawer
        open={creating}
        onClose={() => setCreating(false)}
        onSaved={(e) => navigate(`/registry/enterprises/${encodeURIComponent(e.uscc)}`)}
      />
    </>
  );
}
