/**
 * The on-site sampling form (现场抽样), made for a phone held in one hand at 375 px: one column,
 * big inputs, native date pickers, photos straight from the camera, seal numbers as tags, the
 * sampled party's confirmation with the signer's name — or the refusal record (拒绝抽样) with its
 * note and witnesses. Once sampled, the task shows its sample number and what was recorded.
 */
import { ArrowLeftOutlined, CameraOutlined, CloseCircleOutlined, FileImageOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  ConfigProvider,
  Descriptions,
  Flex,
  Form,
  Image,
  Input,
  InputNumber,
  Radio,
  Result,
  Segmented,
  Select,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import { type ChangeEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError, showApiError, showSuccess } from '../api/client';
import { useRefNames } from '../api/reference';
import { useSession } from '../auth/session';
import { businessToday } from '../components/format';
import { type Place, type SampleInput, samplingApi, samplingKeys, type TaskDetail } from './api';
import { ItemClassTag, mono, TaskStateTag, VerdictTag } from './common';

const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
const MAX_PHOTOS = 12;

interface SampleForm {
  productName: string;
  trademark: string;
  model: string;
  standardCode: string;
  batch: string;
  productionDate?: string;
  testUnits: number;
  backupUnits: number;
  sealNumbers: string[];
  place: Place;
  sampledOn: string;
  signer: string;
  signerTitle?: string;
  confirmed: boolean;
}

interface RefusalForm {
  refusedOn: string;
  note: string;
  witnesses: string[];
}

/** Native date input: the phone's own date picker; the value is 'YYYY-MM-DD'. */
function DateInput(props: {
  value?: string;
  onChange?: (v: string) => void;
  id?: string;
  'data-testid'?: string;
}) {
  return (
    <Input
      id={props.id}
      type="date"
      value={props.value}
      max={businessToday().format('YYYY-MM-DD')}
      onChange={(e) => props.onChange?.(e.target.value)}
      data-testid={props['data-testid']}
    />
  );
}

function Photos({ task, editable }: { task: TaskDetail; editable: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const photos = task.files.filter((f) => f.kind === 'photo');
  const upload = useMutation({
    mutationFn: (file: File) => samplingApi.uploadPhoto(task.id, file),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: samplingKeys.task(task.id) });
      showSuccess(t('sampling.task.photoUploaded'));
    },
  });
  const onPick = (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = '';
    for (const file of files) {
      if (file.size > MAX_PHOTO_BYTES) {
        showApiError(new Error(t('sampling.task.photoTooLarge', { name: file.name })));
        continue;
      }
      upload.mutate(file);
    }
  };
  return (
    <div data-testid="sample-photos">
      <Flex gap={8} wrap style={{ marginBottom: photos.length ? 8 : 0 }}>
        <Image.PreviewGroup>
          {photos.map((f) => (
            <Image
              key={f.id}
              src={samplingApi.fileUrl(f.id)}
              alt={f.filename}
              width={96}
              height={96}
              style={{ objectFit: 'cover', borderRadius: 6, border: '1px solid #eef1f5' }}
            />
          ))}
        </Image.PreviewGroup>
      </Flex>
      {editable && (
        <>
          <input
            ref={input}
            type="file"
            accept="image/*"
            capture="environment"
            style={{ display: 'none' }}
            onChange={onPick}
            data-testid="sample-photo-input"
          />
          <Button
            icon={<CameraOutlined />}
            block
            size="large"
            loading={upload.isPending}
            disabled={photos.length >= MAX_PHOTOS}
            onClick={() => input.current?.click()}
            data-testid="sample-photo-button"
          >
            {t('sampling.task.takePhoto', { n: photos.length, max: MAX_PHOTOS })}
          </Button>
        </>
      )}
      {!editable && !photos.length && <Typography.Text type="secondary">—</Typography.Text>}
    </div>
  );
}

function SampleFormCard({ task }: { task: TaskDetail }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<SampleForm>();
  const m = useMutation({
    meta: { silent: true },
    mutationFn: (v: SampleForm) => {
      const body: SampleInput = {
        productName: v.productName.trim(),
        trademark: v.trademark.trim(),
        model: v.model.trim(),
        standardCode: v.standardCode.trim(),
        batch: v.batch.trim(),
        ...(v.productionDate ? { productionDate: v.productionDate } : {}),
        testUnits: v.testUnits,
        backupUnits: v.backupUnits,
        sealNumbers: v.sealNumbers.map((s) => s.trim()).filter(Boolean),
        place: v.place,
        sampledOn: v.sampledOn,
        confirmation: {
          signer: v.signer.trim(),
          ...(v.signerTitle?.trim() ? { title: v.signerTitle.trim() } : {}),
          confirmed: true,
        },
      };
      return samplingApi.recordSample(task.id, body);
    },
    onSuccess: (s) => {
      void qc.invalidateQueries({ queryKey: samplingKeys.all });
      showSuccess(t('sampling.task.sampled', { no: s.sampleNo }));
    },
    onError: (e) => {
      // confirmation.signer → the signer field
      if (isApiError(e))
        for (const f of e.fields)
          f.field = f.field.replace(/^\/?(body[./])?confirmation[./]signer$/, 'signer');
      showApiError(e, form);
    },
  });
  const required = { required: true, whitespace: true, message: t('sampling.editor.required') };
  return (
    <Form<SampleForm>
      form={form}
      layout="vertical"
      onFinish={(v) => m.mutate(v)}
      scrollToFirstError
      initialValues={{
        testUnits: task.testUnits,
        backupUnits: task.backupUnits,
        standardCode: task.checkItems[0]?.standardCode ?? '',
        sealNumbers: [],
        place: 'factory',
        sampledOn: businessToday().format('YYYY-MM-DD'),
        confirmed: false,
      }}
      data-testid="sample-form"
    >
      <Form.Item name="productName" label={t('sampling.sample.productName')} rules={[required]}>
        <Input maxLength={200} data-testid="sample-product" />
      </Form.Item>
      <Form.Item name="trademark" label={t('sampling.sample.trademark')} rules={[required]}>
        <Input maxLength={100} data-testid="sample-trademark" />
      </Form.Item>
      <Form.Item name="model" label={t('sampling.sample.model')} rules={[required]}>
        <Input maxLength={100} data-testid="sample-model" />
      </Form.Item>
      <Form.Item name="standardCode" label={t('sampling.sample.standardCode')} rules={[required]}>
        <Input maxLength={100} data-testid="sample-standard" />
      </Form.Item>
      <Form.Item name="batch" label={t('sampling.sample.batch')} rules={[required]}>
        <Input maxLength={100} data-testid="sample-batch" />
      </Form.Item>
      <Form.Item name="productionDate" label={t('sampling.sample.productionDate')}>
        <DateInput data-testid="sample-production-date" />
      </Form.Item>
      <Flex gap={12}>
        <Form.Item
          name="testUnits"
          label={t('sampling.plan.testUnits')}
          style={{ flex: 1 }}
          rules={[{ required: true, message: t('sampling.editor.required') }]}
        >
          <InputNumber
            min={1}
            precision={0}
            style={{ width: '100%' }}
            inputMode="numeric"
            data-testid="sample-test-units"
          />
        </Form.Item>
        <Form.Item
          name="backupUnits"
          label={t('sampling.plan.backupUnits')}
          style={{ flex: 1 }}
          rules={[{ required: true, message: t('sampling.editor.required') }]}
        >
          <InputNumber
            min={0}
            precision={0}
            style={{ width: '100%' }}
            inputMode="numeric"
            data-testid="sample-backup-units"
          />
        </Form.Item>
      </Flex>
      <Form.Item
        name="sealNumbers"
        label={t('sampling.sample.sealNumbers')}
        extra={t('sampling.task.sealHint')}
        rules={[{ required: true, type: 'array', min: 1, message: t('sampling.task.sealRequired') }]}
      >
        <Select
          mode="tags"
          open={false}
          suffixIcon={null}
          tokenSeparators={[',', '，', ' ', '、']}
          placeholder={t('sampling.task.sealPlaceholder')}
          data-testid="sample-seals"
        />
      </Form.Item>
      <Form.Item name="place" label={t('sampling.sample.place')} rules={[{ required: true }]}>
        <Radio.Group
          optionType="button"
          buttonStyle="solid"
          style={{ display: 'flex' }}
          data-testid="sample-place"
          options={(['factory', 'market'] as const).map((p) => ({
            value: p,
            label: t(`sampling.place.${p}`),
            style: { flex: 1, textAlign: 'center' },
          }))}
        />
      </Form.Item>
      <Form.Item
        name="sampledOn"
        label={t('sampling.sample.sampledOn')}
        rules={[{ required: true, message: t('sampling.editor.required') }]}
      >
        <DateInput data-testid="sample-date" />
      </Form.Item>
      <Form.Item label={t('sampling.task.photos')}>
        <Photos task={task} editable />
      </Form.Item>
      <Card
        size="small"
        style={{ background: '#f7f9fc', marginBottom: 16 }}
        title={t('sampling.task.confirmation')}
      >
        <Form.Item name="signer" label={t('sampling.task.signer')} rules={[required]}>
          <Input maxLength={50} autoComplete="off" data-testid="sample-signer" />
        </Form.Item>
        <Form.Item name="signerTitle" label={t('sampling.task.signerTitle')}>
          <Input maxLength={50} autoComplete="off" data-testid="sample-signer-title" />
        </Form.Item>
        <Form.Item
          name="confirmed"
          valuePropName="checked"
          style={{ marginBottom: 0 }}
          rules={[
            {
              validator: (_, v) =>
                v ? Promise.resolve() : Promise.reject(new Error(t('sampling.task.confirmRequired'))),
            },
          ]}
        >
          <Checkbox data-testid="sample-confirmed">{t('sampling.task.confirmText')}</Checkbox>
        </Form.Item>
      </Card>
      <Button
        type="primary"
        htmlType="submit"
        block
        size="large"
        loading={m.isPending}
        data-testid="sample-submit"
      >
        {t('sampling.task.submit')}
      </Button>
    </Form>
  );
}

function RefusalFormCard({ task }: { task: TaskDetail }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<RefusalForm>();
  const m = useMutation({
    meta: { silent: true },
    mutationFn: (v: RefusalForm) =>
      samplingApi.recordRefusal(task.id, {
        refusedOn: v.refusedOn,
        note: v.note.trim(),
        witnesses: v.witnesses.map((w) => w.trim()).filter(Boolean),
      }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: samplingKeys.all });
      showSuccess(t('sampling.task.refused'));
    },
    onError: (e) => showApiError(e, form),
  });
  return (
    <Form<RefusalForm>
      form={form}
      layout="vertical"
      onFinish={(v) => m.mutate(v)}
      initialValues={{ refusedOn: businessToday().format('YYYY-MM-DD'), witnesses: [] }}
      data-testid="refusal-form"
    >
      <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('sampling.task.refusalWarning')} />
      <Form.Item
        name="refusedOn"
        label={t('sampling.task.refusedOn')}
        rules={[{ required: true, message: t('sampling.editor.required') }]}
      >
        <DateInput data-testid="refusal-date" />
      </Form.Item>
      <Form.Item
        name="note"
        label={t('sampling.task.refusalNote')}
        rules={[{ required: true, whitespace: true, message: t('sampling.editor.required') }]}
      >
        <Input.TextArea rows={4} maxLength={1000} showCount data-testid="refusal-note" />
      </Form.Item>
      <Form.Item
        name="witnesses"
        label={t('sampling.task.witnesses')}
        extra={t('sampling.task.witnessHint')}
        rules={[{ required: true, type: 'array', min: 1, message: t('sampling.task.witnessRequired') }]}
      >
        <Select
          mode="tags"
          open={false}
          suffixIcon={null}
          tokenSeparators={[',', '，', '、']}
          data-testid="refusal-witnesses"
        />
      </Form.Item>
      <Form.Item label={t('sampling.task.photos')}>
        <Photos task={task} editable />
      </Form.Item>
      <Button
        danger
        type="primary"
        htmlType="submit"
        block
        size="large"
        loading={m.isPending}
        data-testid="refusal-submit"
      >
        {t('sampling.task.submitRefusal')}
      </Button>
    </Form>
  );
}

function Recorded({ task }: { task: TaskDetail }) {
  const { t } = useTranslation();
  const s = task.sample;
  if (task.refusal)
    return (
      <Card
        size="small"
        title={
          <Space>
            <CloseCircleOutlined style={{ color: '#cf1322' }} />
            {t('sampling.task.refusalRecord')}
          </Space>
        }
        data-testid="refusal-record"
      >
        <Descriptions
          size="small"
          column={1}
          items={[
            {
              key: 'on',
              label: t('sampling.task.refusedOn'),
              children: task.refusal.on ?? task.refusal.refusedOn ?? '—',
            },
            { key: 'note', label: t('sampling.task.refusalNote'), children: task.refusal.note },
            { key: 'w', label: t('sampling.task.witnesses'), children: task.refusal.witnesses.join('、') },
          ]}
        />
        <Photos task={task} editable={false} />
      </Card>
    );
  if (!s) return null;
  return (
    <Card size="small" title={t('sampling.task.sampleRecord')} data-testid="sample-record">
      <Flex vertical align="center" style={{ padding: '8px 0 16px' }}>
        <Typography.Text type="secondary">{t('sampling.sample.sampleNo')}</Typography.Text>
        <Typography.Title level={3} style={{ margin: 0, ...mono }} data-testid="sample-no">
          {s.sampleNo}
        </Typography.Title>
        <Space style={{ marginTop: 6 }}>
          <Tag color="purple">{t(`sampling.sampleState.${s.state}`)}</Tag>
          {s.verdict && <VerdictTag verdict={s.verdict} severity={s.severity} />}
        </Space>
      </Flex>
      <Descriptions
        size="small"
        column={1}
        items={[
          { key: 'p', label: t('sampling.sample.productName'), children: s.productName },
          { key: 'tm', label: t('sampling.sample.trademark'), children: s.trademark || '—' },
          { key: 'm', label: t('sampling.sample.model'), children: s.model || '—' },
          { key: 'std', label: t('sampling.sample.standardCode'), children: s.standardCode },
          { key: 'b', label: t('sampling.sample.batch'), children: s.batch || '—' },
          { key: 'pd', label: t('sampling.sample.productionDate'), children: s.productionDate || '—' },
          {
            key: 'u',
            label: t('sampling.task.units'),
            children: t('sampling.task.unitsValue', { test: s.testUnits, backup: s.backupUnits }),
          },
          {
            key: 'seal',
            label: t('sampling.sample.sealNumbers'),
            children: s.sealNumbers?.length ? s.sealNumbers.map((n) => <Tag key={n}>{n}</Tag>) : '—',
          },
          { key: 'pl', label: t('sampling.sample.place'), children: t(`sampling.place.${s.place}`) },
          { key: 'on', label: t('sampling.sample.sampledOn'), children: s.sampledOn },
          { key: 'lab', label: t('sampling.plan.lab'), children: s.lab?.name ?? task.lab?.name ?? '—' },
        ]}
      />
      <Photos task={task} editable={false} />
      <Link to={`/sampling/samples/${s.id}`} style={{ display: 'block', marginTop: 12 }}>
        <FileImageOutlined /> {t('sampling.task.openSample')}
      </Link>
    </Card>
  );
}

export default function TaskPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const names = useRefNames();
  const { can, session } = useSession();
  const [mode, setMode] = useState<'sample' | 'refuse'>('sample');
  const {
    data: task,
    isPending,
    error,
  } = useQuery({
    queryKey: samplingKeys.task(id),
    queryFn: ({ signal }) => samplingApi.task(id, signal),
    meta: { silent: true },
  });

  if (isPending) return <Spin size="large" style={{ display: 'block', margin: '80px auto' }} />;
  if (!task)
    return (
      <Card>
        <Result
          status={
            isApiError(error) && error.status === 404
              ? '404'
              : isApiError(error) && error.status === 403
                ? '403'
                : 'error'
          }
          title={t('sampling.task.notFound')}
          subTitle={isApiError(error) ? error.localizedMessage : undefined}
          extra={<Button onClick={() => navigate('/sampling/tasks')}>{t('sampling.task.back')}</Button>}
        />
      </Card>
    );

  const isInspector = task.youAreInspector ?? task.inspectors.some((i) => i.id === session?.user.id);
  const canRecord = task.state === 'assigned' && can('sampling.sample') && isInspector;

  return (
    <div style={{ maxWidth: 560, margin: '0 auto' }} data-testid="task-page">
      <Link to="/sampling/tasks" style={{ display: 'inline-block', marginBottom: 8 }}>
        <ArrowLeftOutlined /> {t('sampling.task.back')}
      </Link>
      <Card size="small" style={{ marginBottom: 12 }} data-testid="task-header">
        <Flex justify="space-between" align="flex-start" gap={8}>
          <Typography.Title level={5} style={{ margin: 0 }} data-testid="task-enterprise">
            {task.enterprise.name}
          </Typography.Title>
          <TaskStateTag state={task.state} />
        </Flex>
        <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12, ...mono }}>
          {task.enterprise.uscc}
        </Typography.Text>
        <Descriptions
          size="small"
          column={1}
          style={{ marginTop: 8 }}
          items={[
            { key: 'addr', label: t('sampling.task.address'), children: task.enterprise.address || '—' },
            { key: 'town', label: t('enterprise.town'), children: names.town(task.townCode, task.townName) },
            { key: 'cat', label: t('sampling.plan.category'), children: task.category.name },
            { key: 'plan', label: t('sampling.task.plan'), children: `${task.plan.code} ${task.plan.title}` },
            {
              key: 'no',
              label: t('sampling.task.taskNo'),
              children: <span style={mono}>{task.taskNo}</span>,
            },
            {
              key: 'insp',
              label: t('sampling.draw.inspectors'),
              children: task.inspectors.map((i) => i.displayName).join('、'),
            },
            {
              key: 'units',
              label: t('sampling.task.units'),
              children: t('sampling.task.unitsValue', { test: task.testUnits, backup: task.backupUnits }),
            },
            { key: 'lab', label: t('sampling.plan.lab'), children: task.lab?.name ?? '—' },
          ]}
        />
        <details style={{ marginTop: 4 }}>
          <summary style={{ cursor: 'pointer', color: '#1f4e9c' }}>
            {t('sampling.task.checkItems', { n: task.checkItems.length })}
          </summary>
          <Flex vertical gap={6} style={{ marginTop: 8 }}>
            {task.checkItems.map((i) => (
              <div key={i.key} style={{ fontSize: 13 }}>
                <ItemClassTag value={i.class} /> {i.item}
                <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                  {i.standardCode} {i.clause} {i.requirement}
                </Typography.Text>
              </div>
            ))}
          </Flex>
        </details>
      </Card>

      {canRecord ? (
        <ConfigProvider componentSize="large">
          <Card size="small">
            <Segmented
              block
              value={mode}
              onChange={(v) => setMode(v as 'sample' | 'refuse')}
              options={[
                { value: 'sample', label: t('sampling.task.modeSample') },
                { value: 'refuse', label: t('sampling.task.modeRefuse') },
              ]}
              style={{ marginBottom: 16 }}
              data-testid="task-mode"
            />
            {mode === 'sample' ? <SampleFormCard task={task} /> : <RefusalFormCard task={task} />}
          </Card>
        </ConfigProvider>
      ) : (
        <>
          {task.state === 'assigned' && (
            <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('sampling.task.notYourTask')} />
          )}
          <Recorded task={task} />
        </>
      )}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 12 }}>
        {t('sampling.task.limits', { size: '5 MB', n: MAX_PHOTOS })}
      </Typography.Paragraph>
    </div>
  );
}
