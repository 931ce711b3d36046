import {
  CheckCircleOutlined,
  CloudUploadOutlined,
  DownloadOutlined,
  FileExcelOutlined,
  FileTextOutlined,
  InboxOutlined,
} from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Divider,
  Flex,
  Progress,
  Result,
  Row,
  Space,
  Statistic,
  Steps,
  Table,
  type TableColumnsType,
  Typography,
  Upload,
  type UploadFile,
} from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, errorMessage, showApiError } from '../api/client';
import type { ImportRejection, ImportReport } from '../api/types';
import PageTitle from '../components/PageTitle';

const MAX_BYTES = 20 * 1024 * 1024;
const ACCEPT = '.csv,.xlsx';

function isAccepted(name: string): boolean {
  return /\.(csv|xlsx)$/i.test(name);
}

function upload(file: File, dryRun: boolean): Promise<ImportReport> {
  const form = new FormData();
  form.append('file', file, file.name);
  return api.post<ImportReport>('/api/v1/imports/enterprises', form, { dryRun: dryRun ? 'true' : 'false' });
}

function ReportStats({ report, final }: { report: ImportReport; final?: boolean }) {
  const { t } = useTranslation();
  const rejected = report.rejected?.length ?? 0;
  const rejectedRows = new Set((report.rejected ?? []).map((r) => r.row)).size;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={12} md={6} lg={4}>
        <Statistic title={t('import.total')} value={report.total} />
      </Col>
      <Col xs={12} md={6} lg={4}>
        <Statistic
          title={t('import.toImport')}
          value={report.imported}
          styles={{ content: { color: '#2f8f5b' } }}
        />
      </Col>
      <Col xs={12} md={6} lg={4}>
        <Statistic
          title={t('import.toUpdate')}
          value={report.updated}
          styles={{ content: { color: '#1f4e9c' } }}
        />
      </Col>
      <Col xs={12} md={6} lg={4}>
        <Statistic title={t('import.unchanged')} value={report.unchanged} />
      </Col>
      <Col xs={12} md={6} lg={4}>
        <Statistic
          title={t('import.rejected')}
          value={rejectedRows}
          suffix={
            rejected !== rejectedRows ? <span style={{ fontSize: 12 }}>（{rejected}）</span> : undefined
          }
          styles={{ content: { color: rejected ? '#c0392b' : undefined } }}
          data-testid={final ? 'import-final-rejected' : 'import-dryrun-rejected'}
        />
      </Col>
    </Row>
  );
}

function RejectedTable({ rows, testId }: { rows: ImportRejection[]; testId: string }) {
  const { t } = useTranslation();
  const columns: TableColumnsType<ImportRejection> = [
    {
      title: t('import.row'),
      dataIndex: 'row',
      width: 90,
      sorter: (a, b) => a.row - b.row,
      defaultSortOrder: 'ascend',
    },
    { title: t('import.column'), dataIndex: 'column', width: 180, render: (v: string | null) => v || '—' },
    {
      title: t('import.code'),
      dataIndex: 'code',
      width: 220,
      render: (v: string) => <Typography.Text code>{v}</Typography.Text>,
    },
    { title: t('import.reason'), dataIndex: 'message' },
  ];
  return (
    <div data-testid={testId}>
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('import.rejectedTable')}
      </Typography.Title>
      <Table<ImportRejection>
        size="small"
        rowKey={(r) => `${r.row}-${r.column ?? ''}-${r.code}`}
        columns={columns}
        dataSource={rows}
        pagination={{ pageSize: 10, showSizeChanger: true, showTotal: (n) => t('common.total', { n }) }}
      />
    </div>
  );
}

function downloadJson(report: ImportReport, fileName: string) {
  const blob = new Blob([JSON.stringify({ file: fileName, ...report }, null, 2)], {
    type: 'application/json',
  });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `import-report-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A progress bar that creeps towards 95 % while the server works (the import has no progress feed). */
function useCreepingProgress(active: boolean): number {
  const [p, setP] = useState(0);
  const timer = useRef<number | null>(null);
  useEffect(() => {
    if (!active) return;
    setP(5);
    timer.current = window.setInterval(
      () => setP((x) => (x < 95 ? x + Math.max(0.5, (95 - x) / 12) : x)),
      400,
    );
    return () => {
      if (timer.current) window.clearInterval(timer.current);
    };
  }, [active]);
  return Math.round(p);
}

export default function ImportPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [step, setStep] = useState(0);
  const [fileList, setFileList] = useState<UploadFile[]>([]);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [dryReport, setDryReport] = useState<ImportReport | null>(null);
  const [finalReport, setFinalReport] = useState<ImportReport | null>(null);

  const dryRun = useMutation({
    meta: { silent: true },
    mutationFn: (f: File) => upload(f, true),
    onSuccess: (r) => {
      setDryReport(r);
      setStep(1);
    },
    onError: (e) => showApiError(e),
  });

  const commit = useMutation({
    meta: { silent: true },
    mutationFn: (f: File) => upload(f, false),
    onSuccess: (r) => {
      setFinalReport(r);
      void qc.invalidateQueries({ queryKey: ['enterprises'] });
      void qc.invalidateQueries({ queryKey: ['enterprise'] });
      void qc.invalidateQueries({ queryKey: ['stats'] });
    },
  });
  const progress = useCreepingProgress(commit.isPending);

  const restart = () => {
    setStep(0);
    setFile(null);
    setFileList([]);
    setDryReport(null);
    setFinalReport(null);
    dryRun.reset();
    commit.reset();
  };

  const startCommit = () => {
    if (!file) return;
    setStep(2);
    commit.mutate(file);
  };

  const importable = dryReport ? dryReport.imported + dryReport.updated + dryReport.unchanged : 0;
  const rejectedRows = dryReport ? new Set(dryReport.rejected.map((r) => r.row)).size : 0;

  return (
    <>
      <PageTitle title={t('import.title')} subtitle={t('import.subtitle')} />
      <Card>
        <Steps
          current={step}
          style={{ maxWidth: 760, margin: '8px auto 32px' }}
          items={[
            { title: t('import.stepUpload'), icon: <CloudUploadOutlined /> },
            { title: t('import.stepDryRun'), icon: <FileTextOutlined /> },
            { title: t('import.stepCommit'), icon: <CheckCircleOutlined /> },
          ]}
        />

        {step === 0 && (
          <div style={{ maxWidth: 760, margin: '0 auto' }}>
            <Typography.Title level={5}>1. {t('import.template')}</Typography.Title>
            <Typography.Paragraph type="secondary">{t('import.templateHint')}</Typography.Paragraph>
            <Space wrap>
              <Button
                icon={<FileTextOutlined />}
                href="/api/v1/imports/enterprises/template.csv"
                data-testid="import-template-csv"
              >
                {t('import.templateCsv')}
              </Button>
              <Button
                icon={<FileExcelOutlined />}
                href="/api/v1/imports/enterprises/template.xlsx"
                data-testid="import-template-xlsx"
              >
                {t('import.templateXlsx')}
              </Button>
            </Space>
            <Divider />
            <Typography.Title level={5}>2. {t('import.upload')}</Typography.Title>
            <div data-testid="import-upload">
              <Upload.Dragger
                accept={ACCEPT}
                multiple={false}
                maxCount={1}
                fileList={fileList}
                beforeUpload={(f) => {
                  if (!isAccepted(f.name)) {
                    setFileError(t('import.badType'));
                    return Upload.LIST_IGNORE;
                  }
                  if (f.size > MAX_BYTES) {
                    setFileError(t('import.tooLarge'));
                    return Upload.LIST_IGNORE;
                  }
                  setFileError(null);
                  setFile(f);
                  setFileList([{ uid: f.uid, name: f.name, size: f.size, status: 'done' }]);
                  return false;
                }}
                onRemove={() => {
                  setFile(null);
                  setFileList([]);
                }}
              >
                <p className="ant-upload-drag-icon">
                  <InboxOutlined />
                </p>
                <p className="ant-upload-text">{t('import.dragText')}</p>
                <p className="ant-upload-hint">{t('import.dragHint')}</p>
              </Upload.Dragger>
            </div>
            {fileError && <Alert type="error" showIcon title={fileError} style={{ marginTop: 12 }} />}
            <Flex justify="flex-end" style={{ marginTop: 24 }}>
              <Button
                type="primary"
                size="large"
                disabled={!file}
                loading={dryRun.isPending}
                onClick={() => file && dryRun.mutate(file)}
                data-testid="import-dryrun"
              >
                {dryRun.isPending ? t('import.dryRunning') : t('import.startDryRun')}
              </Button>
            </Flex>
          </div>
        )}

        {step === 1 && dryReport && (
          <div data-testid="import-dryrun-report">
            <Typography.Title level={5} style={{ marginTop: 0 }}>
              {t('import.dryRunTitle')}
              <Typography.Text
                type="secondary"
                style={{ fontSize: 13, fontWeight: 400, marginInlineStart: 12 }}
              >
                {file?.name} · {t('import.dryRunNote')}
              </Typography.Text>
            </Typography.Title>
            <ReportStats report={dryReport} />
            <div style={{ marginTop: 16 }}>
              {rejectedRows === 0 ? (
                <Alert type="success" showIcon title={t('import.allPassed')} />
              ) : importable > 0 ? (
                <Alert type="warning" showIcon title={t('import.someRejected', { n: rejectedRows })} />
              ) : (
                <Alert type="error" showIcon title={t('import.allRejected')} />
              )}
            </div>
            {dryReport.rejected.length > 0 && (
              <RejectedTable rows={dryReport.rejected} testId="import-rejected-table" />
            )}
            <Flex justify="flex-end" gap={8} style={{ marginTop: 24 }}>
              <Button onClick={restart}>{t('import.reselect')}</Button>
              <Button
                type="primary"
                size="large"
                disabled={!file || importable === 0}
                onClick={startCommit}
                data-testid="import-commit"
              >
                {t('import.commit')}
              </Button>
            </Flex>
          </div>
        )}

        {step === 2 && (
          <div>
            {commit.isPending && (
              <Flex vertical align="center" gap={16} style={{ padding: '32px 0' }}>
                <Progress type="circle" percent={progress} status="active" />
                <Typography.Text>{t('import.committing')}</Typography.Text>
              </Flex>
            )}
            {commit.isError && (
              <Result
                status="error"
                title={t('import.failedTitle')}
                subTitle={errorMessage(commit.error)}
                extra={
                  <Space>
                    <Button onClick={restart}>{t('import.reselect')}</Button>
                    <Button type="primary" onClick={startCommit}>
                      {t('common.retry')}
                    </Button>
                  </Space>
                }
              />
            )}
            {finalReport && (
              <div data-testid="import-final-report">
                <Result
                  status={finalReport.rejected.length ? 'warning' : 'success'}
                  title={t('import.doneTitle')}
                  subTitle={t('import.doneSub', {
                    total: finalReport.total,
                    imported: finalReport.imported,
                    updated: finalReport.updated,
                    unchanged: finalReport.unchanged,
                    rejected: new Set(finalReport.rejected.map((r) => r.row)).size,
                  })}
                  extra={
                    <Space wrap>
                      <Button
                        icon={<DownloadOutlined />}
                        onClick={() => downloadJson(finalReport, file?.name ?? '')}
                        data-testid="import-download-report"
                      >
                        {t('import.downloadReport')}
                      </Button>
                      <Button onClick={restart}>{t('import.importAnother')}</Button>
                      <Button type="primary" onClick={() => navigate('/registry/enterprises')}>
                        {t('import.backToList')}
                      </Button>
                    </Space>
                  }
                />
                <ReportStats report={finalReport} final />
                {finalReport.rejected.length > 0 && (
                  <RejectedTable rows={finalReport.rejected} testId="import-final-rejected-table" />
                )}
              </div>
            )}
          </div>
        )}
      </Card>
    </>
  );
}
