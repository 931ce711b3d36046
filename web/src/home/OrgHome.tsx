/**
 * The home of an enterprise, lab or maintenance-unit user: the own enterprise at a glance — its
 * register entry, its quality-credit grade and the objections still open — from the APIs the role
 * may call (`/api/v1/credit/mine`, the own enterprise, the own archive and objections). City
 * statistics are not asked for: the role may not read them.
 */
import {
  FilePdfOutlined,
  GlobalOutlined,
  ProfileOutlined,
  SafetyCertificateOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Flex,
  List,
  Result,
  Row,
  Skeleton,
  Tag,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, isApiError } from '../api/client';
import { creditApi, creditUrls } from '../api/credit';
import { useRefNames } from '../api/reference';
import type { Enterprise } from '../api/types';
import { useSession } from '../auth/session';
import { ScaleText, StatusTag } from '../components/EnterpriseBadges';
import PageTitle from '../components/PageTitle';
import { creditKeys, creditPath, GradeLetter, ObjectionStateTag, useText } from '../credit/common';
import SamplingHomeCard from '../sampling/HomeCard';

const OPEN = new Set(['submitted', 'underReview']);

export default function OrgHome() {
  const { t } = useTranslation();
  const text = useText();
  const names = useRefNames();
  const { session } = useSession();
  const mine = useQuery({
    queryKey: creditKeys.mine,
    queryFn: ({ signal }) => creditApi.mine(signal),
    meta: { silent: true },
  });
  const uscc = mine.data?.uscc ?? '';
  const enterprise = useQuery({
    queryKey: ['enterprise', uscc],
    queryFn: ({ signal }) =>
      api.get<Enterprise>(`/api/v1/enterprises/${encodeURIComponent(uscc)}`, undefined, signal),
    enabled: !!uscc,
    meta: { silent: true },
  });
  const archive = useQuery({
    queryKey: creditKeys.archive(uscc),
    queryFn: ({ signal }) => creditApi.archive(uscc, signal),
    enabled: !!uscc,
    meta: { silent: true },
  });
  const objections = useQuery({
    queryKey: creditKeys.objections({ uscc }),
    queryFn: ({ signal }) => creditApi.objections({ uscc }, signal),
    select: (d) => d.items.filter((o) => OPEN.has(o.state)),
    enabled: !!uscc,
    meta: { silent: true },
  });

  const title = (
    <PageTitle
      title={mine.data?.name ?? t('home.org.title')}
      subtitle={t('auth.welcomeName', { name: session?.user.displayName ?? '' })}
    />
  );
  if (mine.error)
    return (
      <>
        {title}
        <Card>
          <Result
            status="info"
            title={t('home.org.noEnterprise')}
            subTitle={isApiError(mine.error) ? mine.error.localizedMessage : undefined}
          />
        </Card>
      </>
    );

  const e = enterprise.data;
  const grade = archive.data?.grade;
  return (
    <div data-testid="org-home">
      {title}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card
            title={t('home.org.profile')}
            style={{ height: '100%' }}
            extra={
              uscc && (
                <Link to={`/registry/enterprises/${encodeURIComponent(uscc)}`}>
                  {t('home.org.viewProfile')}
                </Link>
              )
            }
            data-testid="org-home-profile"
          >
            {!e ? (
              <Skeleton active />
            ) : (
              <Descriptions
                size="small"
                column={{ xs: 1, md: 2 }}
                items={[
                  {
                    key: 'uscc',
                    label: t('enterprise.uscc'),
                    children: <span style={{ fontFamily: 'monospace' }}>{e.uscc}</span>,
                  },
                  { key: 'status', label: t('enterprise.status'), children: <StatusTag status={e.status} /> },
                  {
                    key: 'town',
                    label: t('enterprise.town'),
                    children: names.town(e.townCode, e.townName) || '—',
                  },
                  { key: 'scale', label: t('enterprise.scale'), children: <ScaleText scale={e.scale} /> },
                  {
                    key: 'industry',
                    label: t('enterprise.industry'),
                    span: { xs: 1, md: 2 },
                    children: e.industryCode
                      ? `${e.industryCode} ${names.industry(e.industryCode, e.industryName)}`
                      : '—',
                  },
                  ...(e.profiles ?? []).map((p) => ({
                    key: `p-${p.kind}`,
                    label: t('enterprisePage.profiles'),
                    span: { xs: 1, md: 2 },
                    children: (
                      <Tag color="geekblue">{t(`profileKind.${p.kind}`, { defaultValue: p.kind })}</Tag>
                    ),
                  })),
                ]}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card
            title={t('home.org.credit')}
            style={{ height: '100%' }}
            extra={uscc && <Link to={creditPath(uscc)}>{t('home.org.viewCredit')}</Link>}
            data-testid="org-home-credit"
          >
            {!grade ? (
              <Skeleton active />
            ) : (
              <Flex gap={20} align="center">
                <GradeLetter grade={grade.grade} size={48} />
                <div>
                  <Typography.Title level={4} style={{ margin: 0 }}>
                    {text(grade.gradeLabel, t(`credit.grade.${grade.grade}`))}
                  </Typography.Title>
                  <div>
                    {t('credit.page.score')} <b data-testid="org-home-score">{grade.score}</b>{' '}
                    {t('credit.page.points')}
                  </div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('home.org.asOf', { date: grade.asOf })}
                  </Typography.Text>
                </div>
              </Flex>
            )}
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card
            title={t('home.org.objections')}
            extra={<Link to="/credit/objections">{t('home.org.allObjections')}</Link>}
            data-testid="org-home-objections"
          >
            {objections.isPending ? (
              <Skeleton active />
            ) : (objections.data ?? []).length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('home.org.noObjections')} />
            ) : (
              <List
                size="small"
                dataSource={objections.data}
                renderItem={(o) => (
                  <List.Item key={o.id}>
                    <Flex vertical gap={2} style={{ minWidth: 0 }}>
                      <Typography.Text ellipsis>{text(o.recordSummary)}</Typography.Text>
                      <Flex gap={8} align="center" wrap>
                        <ObjectionStateTag state={o.state} label={o.stateLabel} />
                        {o.reviewDeadline && (
                          <Typography.Text type={o.overdue ? 'danger' : 'secondary'} style={{ fontSize: 12 }}>
                            {t('home.org.deadline', { date: o.reviewDeadline })}
                          </Typography.Text>
                        )}
                        {o.overdue && <Tag color="red">{t('credit.overdue')}</Tag>}
                      </Flex>
                    </Flex>
                  </List.Item>
                )}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card>
            <Flex vertical gap={8} align="flex-start">
              {uscc && (
                <Link to={creditPath(uscc)}>
                  <SafetyCertificateOutlined /> {t('home.org.viewCredit')}
                </Link>
              )}
              {uscc && (
                <Link to={`/registry/enterprises/${encodeURIComponent(uscc)}`}>
                  <ProfileOutlined /> {t('home.org.viewProfile')}
                </Link>
              )}
              {uscc && (
                <Button
                  type="link"
                  icon={<FilePdfOutlined />}
                  href={creditUrls.reportPdf(uscc)}
                  target="_blank"
                  style={{ padding: 0 }}
                >
                  {t('home.org.report')}
                </Button>
              )}
              <Link to="/portal" target="_blank">
                <GlobalOutlined /> {t('home.org.portal')}
              </Link>
            </Flex>
          </Card>
        </Col>
        <Col xs={24}>
          <SamplingHomeCard />
        </Col>
      </Row>
    </div>
  );
}
