import {
  ArrowLeftOutlined,
  CommentOutlined,
  SafetyCertificateOutlined,
  StopOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Flex,
  Result,
  Row,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api, errorMessage, isApiError, pickText } from '../api/client';
import { creditApi, GRADE_TAG_COLORS, type PublicCredit, type PublicCreditRecord } from '../api/credit';
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
      <CreditSection uscc={e.uscc} />
    </>
  );
}

const SEVERITY_COLORS: Record<PublicCreditRecord['severity'], string> = {
  info: 'green',
  minor: 'gold',
  major: 'orange',
  serious: 'red',
};

function CreditRecordItem({ r }: { r: PublicCreditRecord }) {
  const { t } = useTranslation();
  return (
    <div style={{ padding: '14px 0', borderTop: '1px solid #f0f0f0' }} data-testid="portal-credit-record">
      <Row gutter={[16, 8]}>
        <Col xs={24} md={r.reply ? 14 : 24}>
          <Flex gap={8} wrap align="center" style={{ marginBottom: 4 }}>
            <Tag color={SEVERITY_COLORS[r.severity]} style={{ marginInlineEnd: 0 }}>
              {t(`portalCredit.severity.${r.severity}`)}
            </Tag>
            <Typography.Text strong>{pickText(r.ruleLabel)}</Typography.Text>
            {r.pendingObjection && (
              <Tag color="processing" variant="outlined" data-testid="portal-credit-objection">
                {t('portalCredit.pendingObjection')}
              </Tag>
            )}
          </Flex>
          <Typography.Paragraph style={{ margin: '0 0 4px' }}>{r.summary}</Typography.Paragraph>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {pickText(r.eventLabel) !== pickText(r.ruleLabel) && <>{pickText(r.eventLabel)} · </>}
            {t('portalCredit.occurredOn')}：{r.occurredOn} · {t('portalCredit.expiresOn')}：{r.expiresOn}
          </Typography.Text>
        </Col>
        {r.reply && (
          <Col xs={24} md={10}>
            <div
              style={{
                background: '#f6f8fb',
                borderInlineStart: '3px solid #5b9bd5',
                padding: '8px 12px',
                borderRadius: 4,
              }}
              data-testid="portal-credit-reply"
            >
              <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block', marginBottom: 4 }}>
                <CommentOutlined /> {t('portalCredit.reply', { date: r.reply.postedOn })}
              </Typography.Text>
              <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
                {r.reply.text}
              </Typography.Paragraph>
            </div>
          </Col>
        )}
      </Row>
    </div>
  );
}

/** 信用信息: what the credit module discloses about this enterprise (only publishable records). */
function CreditSection({ uscc }: { uscc: string }) {
  const { t } = useTranslation();
  const {
    data: c,
    isPending,
    error,
  } = useQuery({
    queryKey: ['public', 'credit', uscc],
    queryFn: ({ signal }) => creditApi.publicCredit(uscc, signal),
    meta: { silent: true },
  });
  const noInfo = isApiError(error) && error.status === 404;

  return (
    <Card
      style={{ marginTop: 16 }}
      data-testid="portal-credit"
      title={
        <Space>
          <SafetyCertificateOutlined style={{ color: '#1f4e9c' }} />
          {t('portalCredit.title')}
        </Space>
      }
      extra={
        c && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('portalCredit.lastUpdated')}：{formatDateTime(c.lastUpdated)}
          </Typography.Text>
        )
      }
    >
      {isPending ? (
        <Flex justify="center" style={{ padding: 24 }}>
          <Spin />
        </Flex>
      ) : error && !noInfo ? (
        <Alert
          type="warning"
          showIcon
          title={t('portalCredit.loadFailed')}
          description={errorMessage(error)}
        />
      ) : !c ? (
        <Empty description={t('portalCredit.noRecords')} />
      ) : (
        <CreditBody c={c} />
      )}
    </Card>
  );
}

function CreditBody({ c }: { c: PublicCredit }) {
  const { t } = useTranslation();
  return (
    <>
      {c.blacklist && (
        <Alert
          type="error"
          showIcon
          icon={<StopOutlined />}
          style={{ marginBottom: 16 }}
          data-testid="portal-credit-blacklist"
          title={t('portalCredit.blacklisted')}
          description={
            <Descriptions
              size="small"
              column={{ xs: 1, md: 2 }}
              items={[
                { key: 'no', label: t('portalCredit.decisionNo'), children: c.blacklist.decisionNo },
                { key: 'listed', label: t('portalCredit.listedOn'), children: c.blacklist.listedOn ?? '—' },
                {
                  key: 'published',
                  label: t('portalCredit.publishedOn'),
                  children: c.blacklist.publishedOn ?? '—',
                },
                {
                  key: 'expires',
                  label: t('portalCredit.listExpiresOn'),
                  children: c.blacklist.expiresOn ?? '—',
                },
              ]}
            />
          }
          action={<Link to="/portal/blacklist">{t('portalCredit.blacklistLink')}</Link>}
        />
      )}
      {(c.goodCredit || c.grade) && (
        <Flex gap={12} wrap align="center" style={{ marginBottom: 12 }}>
          {c.goodCredit && (
            <Tag
              color="gold"
              variant="solid"
              icon={<SafetyCertificateOutlined />}
              style={{ fontSize: 14, padding: '4px 10px' }}
              data-testid="portal-credit-good"
            >
              {pickText(c.goodCredit.label) ?? t('portalCredit.goodCredit', { years: c.goodCredit.years })}
            </Tag>
          )}
          {c.grade && (
            <span data-testid="portal-credit-grade">
              {t('portalCredit.grade')}：
              <Tag color={GRADE_TAG_COLORS[c.grade.grade]} style={{ fontWeight: 600 }}>
                {c.grade.grade} · {pickText(c.grade.gradeLabel)}
              </Tag>
            </span>
          )}
        </Flex>
      )}
      <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 4 }}>
        {c.records.length
          ? t('portalCredit.recordsIntro', { n: c.records.length })
          : t('portalCredit.noRecords')}
      </Typography.Text>
      {c.records.map((r) => (
        <CreditRecordItem key={r.id} r={r} />
      ))}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '12px 0 0' }}>
        {t('portalCredit.disclaimer')}
      </Typography.Paragraph>
    </>
  );
}
