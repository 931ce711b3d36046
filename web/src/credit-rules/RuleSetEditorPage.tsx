import {
  ArrowLeftOutlined,
  CheckCircleOutlined,
  CloudUploadOutlined,
  CopyOutlined,
  ExperimentOutlined,
  SaveOutlined,
  UndoOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Badge,
  Button,
  Card,
  ConfigProvider,
  Flex,
  Form,
  Input,
  Result,
  Space,
  Spin,
  Tabs,
  Tooltip,
  Typography,
} from 'antd';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, errorMessage, isApiError, pickText, request, showApiError, showSuccess } from '../api/client';
import { useSession } from '../auth/session';
import { formatDateTime } from '../components/format';
import PageTitle from '../components/PageTitle';
import RuleSetDiffButton from './RuleSetDiffButton';
import { BasicSection, GradesSection, RulesSection, SupervisionSection } from './RuleSetSections';
import {
  cleanBody,
  type EditorTab,
  fieldForPath,
  hasEditableShape,
  pathSegments,
  tabForPath,
  toJsonText,
} from './ruleSetBody';
import SandboxPanel from './SandboxPanel';
import { RuleSetStatusTag, ruleSetApi, useCopyRuleSet } from './shared';
import {
  RULE_SETS_KEY,
  type RuleSet,
  type RuleSetDetail,
  type RuleSetError,
  type RuleSetMeta,
  type RuleSetValidation,
  type SandboxResult,
} from './types';

/**
 * Rows with a validation error are tinted; a published (read-only) set shows its disabled inputs
 * as plain text, which reads better than greyed-out boxes.
 */
const EDITOR_CSS = `
.ruleset-row-error > td { background: #fff1f0 !important; }
.ruleset-readonly :is(.ant-input-disabled, .ant-input-number-disabled, .ant-select-disabled, .ant-picker-disabled, .ant-tag-disabled),
.ruleset-readonly :is(.ant-input-number-disabled, .ant-select-disabled, .ant-picker-disabled) * {
  color: rgba(0, 0, 0, 0.88) !important;
  background: transparent !important;
  border-color: transparent !important;
  cursor: default !important;
}
.ruleset-readonly .ant-tag-disabled { background: #f5f5f5 !important; border-color: #e8e8e8 !important; }`;

/** Thrown when the raw JSON tab holds text that does not parse; the message is already shown. */
class JsonTabError extends Error {}

export default function RuleSetEditorPage() {
  const { t } = useTranslation();
  const { id = '', version = '' } = useParams();
  const navigate = useNavigate();
  const key = [...RULE_SETS_KEY, id, Number(version)];
  const { data, isPending, error } = useQuery({
    queryKey: key,
    queryFn: ({ signal }) =>
      api.get<RuleSetDetail>(ruleSetApi({ id, version: Number(version) }), undefined, signal),
    meta: { silent: true },
    staleTime: Number.POSITIVE_INFINITY,
  });

  if (isPending) return <Spin size="large" style={{ display: 'block', margin: '80px auto' }} />;
  if (error || !data) {
    const notFound = isApiError(error) && error.status === 404;
    return (
      <Card>
        <Result
          status={notFound ? '404' : isApiError(error) && error.status === 403 ? '403' : 'error'}
          title={notFound ? t('creditRules.notFound') : t('errors.loadFailed')}
          subTitle={notFound ? `${id} v${version}` : isApiError(error) ? error.localizedMessage : undefined}
          extra={<Button onClick={() => navigate('/credit/rule-sets')}>{t('creditRules.backToList')}</Button>}
        />
      </Card>
    );
  }
  return <Editor key={`${data.id}/${data.version}`} detail={data} />;
}

function Editor({ detail }: { detail: RuleSetDetail }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const { modal, message } = App.useApp();
  const qc = useQueryClient();
  // Untyped: field names are JSON paths built at run time from validation errors.
  const [form] = Form.useForm();
  const copy = useCopyRuleSet();

  const readOnly = detail.status !== 'draft' || !can('credit.rules');
  const canPublish = detail.status === 'draft' && can('credit.rules.publish');

  const [initial] = useState<RuleSet>(() => structuredClone(detail.body));
  const [saved, setSaved] = useState<RuleSet>(() => structuredClone(detail.body));
  const [dirty, setDirty] = useState(false);
  const [tab, setTab] = useState<EditorTab>('basic');
  const [jsonText, setJsonText] = useState('');
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [ruleFilter, setRuleFilter] = useState('');
  /** null: not validated since the last change; [] with `validatedOk`: passed. */
  const [errors, setErrors] = useState<RuleSetError[] | null>(null);
  const [errorFields, setErrorFields] = useState<(string | number)[][]>([]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  /** Puts a whole body into the form, replacing each top-level part (lists included). */
  const loadIntoForm = useCallback(
    (body: RuleSet) => {
      const current = form.getFieldsValue(true) as Record<string, unknown>;
      const keys = new Set([...Object.keys(current), ...Object.keys(body)]);
      for (const k of keys) form.setFieldValue(k, (body as unknown as Record<string, unknown>)[k]);
    },
    [form],
  );

  /** The body as it stands now: from the JSON tab while it is open, otherwise from the form. */
  const currentBody = useCallback((): RuleSet => {
    if (tab === 'json') {
      try {
        return JSON.parse(jsonText) as RuleSet;
      } catch (e) {
        const text = t('creditRules.jsonInvalid', { error: (e as Error).message });
        setJsonError(text);
        message.error(text);
        throw new JsonTabError(text);
      }
    }
    return cleanBody(form.getFieldsValue(true) as RuleSet);
  }, [tab, jsonText, form, message, t]);

  const clearFieldErrors = useCallback(() => {
    if (errorFields.length) form.setFields(errorFields.map((name) => ({ name, errors: [] })));
    setErrorFields([]);
  }, [errorFields, form]);

  const showErrors = useCallback(
    (list: RuleSetError[]) => {
      clearFieldErrors();
      setErrors(list);
      const byField = new Map<string, { name: (string | number)[]; errors: string[] }>();
      for (const e of list) {
        const name = fieldForPath(e.path);
        if (!name) continue;
        const k = JSON.stringify(name);
        const entry = byField.get(k) ?? { name, errors: [] };
        entry.errors.push(pickText(e.message) ?? e.path);
        byField.set(k, entry);
      }
      const fields = [...byField.values()];
      form.setFields(fields);
      setErrorFields(fields.map((f) => f.name));
    },
    [clearFieldErrors, form],
  );

  /** Field errors from a problem+json answer (422 on save) read as rule-set errors. */
  const errorsFromProblem = (err: unknown): RuleSetError[] | null => {
    if (!isApiError(err) || !err.fields.length) return null;
    return err.fields.map((f) => ({
      path: f.field.startsWith('/') ? f.field.replace(/^\/body/, '') : `/${f.field.replace(/\./g, '/')}`,
      message: typeof f.message === 'string' ? { zh: f.message, en: f.message } : f.message,
    }));
  };

  const validate = useMutation({
    mutationFn: (body: RuleSet) => api.post<RuleSetValidation>('/api/v1/credit/rule-sets/validate', { body }),
    onSuccess: (res) => {
      showErrors(res.errors ?? []);
      if (res.ok) showSuccess(t('creditRules.validOk'));
      else message.warning(t('creditRules.validFailed', { n: res.errors.length }));
    },
  });

  const save = useMutation({
    meta: { silent: true },
    mutationFn: (body: RuleSet) =>
      request<RuleSetMeta>(ruleSetApi(detail), { method: 'PUT', body: { body } }),
    onSuccess: (_meta, body) => {
      setSaved(structuredClone(body));
      setDirty(false);
      void qc.invalidateQueries({ queryKey: RULE_SETS_KEY, exact: true });
    },
    onError: (err) => {
      const list = errorsFromProblem(err);
      if (!list) return showApiError(err);
      // The errors are listed above the form and at their fields: a short toast is enough.
      showErrors(list);
      message.error(errorMessage(err));
    },
  });

  const publish = useMutation({
    meta: { silent: true },
    mutationFn: () => api.post<RuleSetMeta>(`${ruleSetApi(detail)}/publish`),
    onSuccess: () => {
      showSuccess(t('creditRules.published'));
      void qc.invalidateQueries({ queryKey: RULE_SETS_KEY });
    },
    onError: (err) => {
      // e.g. an effective date in the past: shown at the date field as well as in a toast.
      const list = errorsFromProblem(err);
      if (!list) return showApiError(err);
      showErrors(list);
      message.error(errorMessage(err));
    },
  });

  const sandbox = useMutation({
    meta: { silent: true },
    mutationFn: async (asOf: string | undefined) => {
      if (dirty && !readOnly) await save.mutateAsync(currentBody());
      return api.post<SandboxResult>(`${ruleSetApi(detail)}/sandbox`, asOf ? { asOf } : {});
    },
  });

  const run = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof JsonTabError)) throw e;
    }
  };

  const onValidate = () => run(() => validate.mutate(currentBody()));
  const onSave = () =>
    run(() =>
      save.mutate(currentBody(), {
        onSuccess: () => {
          clearFieldErrors();
          setErrors(null);
          showSuccess(t('creditRules.saved'));
        },
      }),
    );
  const onRevert = () =>
    modal.confirm({
      title: t('creditRules.revertConfirm'),
      onOk: () => {
        loadIntoForm(saved);
        if (tab === 'json') setJsonText(toJsonText(saved));
        setJsonError(null);
        clearFieldErrors();
        setErrors(null);
        setDirty(false);
      },
    });
  const onPublish = () =>
    run(() => {
      const body = currentBody();
      modal.confirm({
        title: t('creditRules.publishConfirmTitle'),
        content: t('creditRules.publishConfirm', { date: body.effectiveFrom }),
        okText: t('creditRules.publish'),
        onOk: async () => {
          let step: 'check' | 'save' | 'publish' = 'check';
          try {
            const check = await api.post<RuleSetValidation>('/api/v1/credit/rule-sets/validate', { body });
            if (!check.ok) {
              showErrors(check.errors);
              message.error(t('creditRules.validFailed', { n: check.errors.length }));
              return;
            }
            step = 'save';
            if (dirty) await save.mutateAsync(body);
            step = 'publish';
            await publish.mutateAsync();
          } catch (err) {
            // save and publish show their own errors; the check's are shown here.
            if (step === 'check') showApiError(err);
          }
        },
      });
    });
  const onSandbox = () => {
    if (tab !== 'sandbox' && !switchTab('sandbox')) return;
    run(() => sandbox.mutate(undefined));
  };

  /** Leaving the JSON tab applies its text to the form; stays there if the text is not usable. */
  const switchTab = (next: EditorTab): boolean => {
    if (tab === 'json' && next !== 'json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(jsonText);
      } catch (e) {
        const text = t('creditRules.jsonInvalid', { error: (e as Error).message });
        setJsonError(text);
        message.error(text);
        return false;
      }
      if (!hasEditableShape(parsed)) {
        setJsonError(t('creditRules.jsonShape'));
        message.error(t('creditRules.jsonShape'));
        return false;
      }
      if (!readOnly) loadIntoForm(parsed);
      setJsonError(null);
    }
    if (next === 'json' && tab !== 'json') {
      setJsonText(toJsonText(cleanBody(form.getFieldsValue(true) as RuleSet)));
      setJsonError(null);
    }
    setTab(next);
    return true;
  };

  const jumpTo = (e: RuleSetError) => {
    const target = tabForPath(e.path);
    if (!switchTab(target)) return;
    const segs = pathSegments(e.path);
    if (target === 'rules') setRuleFilter('');
    setTimeout(() => {
      const field = fieldForPath(e.path);
      if (target === 'rules' && typeof segs[1] === 'number') {
        document
          .querySelector(`[data-rule-index="${segs[1]}"]`)
          ?.scrollIntoView({ block: 'center', behavior: 'smooth' });
      } else if (field) {
        form.scrollToField(field, { block: 'center' });
      }
    }, 50);
  };

  const errorsByTab = useMemo(() => {
    const counts: Partial<Record<EditorTab, number>> = {};
    for (const e of errors ?? []) {
      const k = tabForPath(e.path);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    return counts;
  }, [errors]);

  const errorRows = useMemo(
    () =>
      new Set(
        (errors ?? [])
          .map((e) => pathSegments(e.path))
          .filter((s) => s[0] === 'rules' && typeof s[1] === 'number')
          .map((s) => s[1] as number),
      ),
    [errors],
  );

  const describePath = (path: string): string => {
    const segs = pathSegments(path);
    const body = form.getFieldsValue(true) as RuleSet;
    const parts: string[] = [];
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i]!;
      const next = segs[i + 1];
      if ((s === 'rules' || s === 'vetoes' || s === 'grades') && typeof next === 'number') {
        if (s === 'rules')
          parts.push(t('creditRules.path.rule', { n: next + 1, id: body.rules?.[next]?.id || '?' }));
        else if (s === 'vetoes') parts.push(t('creditRules.path.veto', { n: next + 1 }));
        else parts.push(t('creditRules.path.grade', { grade: body.grades?.[next]?.grade ?? next + 1 }));
        i++;
      } else if (s === 'supervision' && typeof next === 'string') {
        parts.push(t('creditRules.path.supervision', { grade: next }));
        i++;
      } else {
        parts.push(t(`creditRules.fields.${s}`, { defaultValue: String(s) }));
      }
    }
    return parts.length ? parts.join(' › ') : t('creditRules.path.root');
  };

  const tabLabel = (k: EditorTab, label: ReactNode) => (
    <Space size={6}>
      {label}
      {errorsByTab[k] ? <Badge count={errorsByTab[k]} size="small" /> : null}
    </Space>
  );

  const busy = save.isPending || publish.isPending || validate.isPending;
  const ruleCount = Form.useWatch((v: RuleSet) => v.rules?.length, form) ?? initial.rules?.length ?? 0;

  return (
    <>
      <style>{EDITOR_CSS}</style>
      <PageTitle
        prefix={
          <Link to="/credit/rule-sets" style={{ display: 'inline-block', marginBottom: 8 }}>
            <ArrowLeftOutlined /> {t('creditRules.backToList')}
          </Link>
        }
        title={
          <Space size={12} wrap>
            <span data-testid="ruleset-title">{pickText(detail.name) ?? detail.id}</span>
            <RuleSetStatusTag meta={detail} />
            {dirty && (
              <Typography.Text type="warning" style={{ fontSize: 13, fontWeight: 400 }}>
                {t('creditRules.unsaved')}
              </Typography.Text>
            )}
          </Space>
        }
        subtitle={
          <Space size={16} wrap>
            <span style={{ fontFamily: 'monospace' }}>
              {detail.id} · v{detail.version}
            </span>
            <span>
              {t('creditRules.effectiveFrom')}：{detail.effectiveFrom}
            </span>
            <span>
              {t('creditRules.createdAt')}：{formatDateTime(detail.createdAt)} · {detail.createdBy || '—'}
            </span>
            {detail.publishedAt && (
              <span>
                {t('creditRules.publishedAt')}：{formatDateTime(detail.publishedAt)}
              </span>
            )}
          </Space>
        }
        extra={
          <>
            <RuleSetDiffButton id={detail.id} version={detail.version} />
            <Button
              icon={<CheckCircleOutlined />}
              onClick={onValidate}
              loading={validate.isPending}
              data-testid="ruleset-validate"
            >
              {t('creditRules.validate')}
            </Button>
            {!readOnly && (
              <>
                {dirty && (
                  <Button icon={<UndoOutlined />} onClick={onRevert} disabled={busy}>
                    {t('creditRules.revert')}
                  </Button>
                )}
                <Button
                  icon={<SaveOutlined />}
                  onClick={onSave}
                  loading={save.isPending}
                  disabled={busy && !save.isPending}
                  data-testid="ruleset-save"
                >
                  {t('creditRules.saveDraft')}
                </Button>
              </>
            )}
            {canPublish && (
              <Button
                type="primary"
                icon={<CloudUploadOutlined />}
                onClick={onPublish}
                loading={publish.isPending}
                disabled={busy && !publish.isPending}
                data-testid="ruleset-publish"
              >
                {t('creditRules.publish')}
              </Button>
            )}
            <Button
              icon={<ExperimentOutlined />}
              onClick={onSandbox}
              loading={sandbox.isPending}
              data-testid="ruleset-sandbox"
            >
              {t('creditRules.sandbox.title')}
            </Button>
          </>
        }
      />

      {detail.status === 'published' && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('creditRules.readOnlyPublished')}
          action={
            can('credit.rules') && (
              <Button
                size="small"
                icon={<CopyOutlined />}
                loading={copy.isPending}
                onClick={() => copy.mutate(detail)}
              >
                {t('creditRules.copy')}
              </Button>
            )
          }
        />
      )}

      {errors && errors.length > 0 && (
        <Alert
          type="error"
          showIcon
          closable={{ onClose: () => setErrors(null) }}
          style={{ marginBottom: 16 }}
          data-testid="ruleset-errors"
          title={t('creditRules.errorsTitle', { n: errors.length })}
          description={
            <ul style={{ margin: '4px 0 0', paddingInlineStart: 18, maxHeight: 240, overflow: 'auto' }}>
              {errors.map((e, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: one path may carry several messages
                <li key={`${e.path}-${i}`} data-testid="ruleset-error">
                  <Button
                    type="link"
                    size="small"
                    style={{ padding: 0, height: 'auto' }}
                    onClick={() => jumpTo(e)}
                  >
                    {describePath(e.path)}
                  </Button>
                  <Typography.Text
                    type="secondary"
                    style={{ fontFamily: 'monospace', fontSize: 12, marginInline: 6 }}
                  >
                    {e.path || '/'}
                  </Typography.Text>
                  <span>{pickText(e.message)}</span>
                </li>
              ))}
            </ul>
          }
        />
      )}
      {errors && errors.length === 0 && (
        <Alert
          type="success"
          showIcon
          closable={{ onClose: () => setErrors(null) }}
          style={{ marginBottom: 16 }}
          title={t('creditRules.validOk')}
          data-testid="ruleset-valid"
        />
      )}

      <Card styles={{ body: { paddingTop: 4 } }} className={readOnly ? 'ruleset-readonly' : undefined}>
        <Form
          form={form}
          layout="vertical"
          initialValues={initial}
          disabled={readOnly}
          onValuesChange={() => {
            if (!dirty) setDirty(true);
            // "valid" no longer holds once something changes; listed errors stay until the next check.
            if (errors?.length === 0) setErrors(null);
          }}
        >
          <Tabs
            activeKey={tab}
            onChange={(k) => switchTab(k as EditorTab)}
            items={[
              {
                key: 'basic',
                label: tabLabel('basic', t('creditRules.tabs.basic')),
                forceRender: true,
                children: <BasicSection meta={detail} />,
              },
              {
                key: 'grades',
                label: tabLabel('grades', t('creditRules.tabs.grades')),
                forceRender: true,
                children: <GradesSection readOnly={readOnly} />,
              },
              {
                key: 'supervision',
                label: tabLabel('supervision', t('creditRules.tabs.supervision')),
                forceRender: true,
                children: <SupervisionSection />,
              },
              {
                key: 'rules',
                label: tabLabel('rules', t('creditRules.tabs.rules', { n: ruleCount })),
                forceRender: true,
                children: (
                  <RulesSection
                    readOnly={readOnly}
                    errorRows={errorRows}
                    filter={ruleFilter}
                    onFilterChange={setRuleFilter}
                  />
                ),
              },
              {
                key: 'json',
                label: t('creditRules.tabs.json'),
                children: (
                  <ConfigProvider componentDisabled={false}>
                    <div data-testid="ruleset-json">
                      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 8 }}>
                        <Typography.Text type="secondary">
                          {readOnly ? t('creditRules.jsonReadOnly') : t('creditRules.jsonHelp')}
                        </Typography.Text>
                        <Space>
                          <Tooltip title={t('creditRules.jsonFormatHint')}>
                            <Button
                              size="small"
                              onClick={() => {
                                try {
                                  setJsonText(toJsonText(JSON.parse(jsonText)));
                                  setJsonError(null);
                                } catch (e) {
                                  setJsonError(t('creditRules.jsonInvalid', { error: (e as Error).message }));
                                }
                              }}
                            >
                              {t('creditRules.jsonFormat')}
                            </Button>
                          </Tooltip>
                          <Typography.Text copyable={{ text: jsonText }} />
                        </Space>
                      </Flex>
                      <Input.TextArea
                        value={jsonText}
                        readOnly={readOnly}
                        spellCheck={false}
                        status={jsonError ? 'error' : undefined}
                        onChange={(e) => {
                          setJsonText(e.target.value);
                          setJsonError(null);
                          if (!dirty) setDirty(true);
                          if (errors?.length === 0) setErrors(null);
                        }}
                        autoSize={{ minRows: 20, maxRows: 40 }}
                        style={{ fontFamily: 'monospace', fontSize: 12.5 }}
                        data-testid="ruleset-json-text"
                      />
                      {jsonError && (
                        <Typography.Text type="danger" style={{ display: 'block', marginTop: 6 }}>
                          {jsonError}
                        </Typography.Text>
                      )}
                    </div>
                  </ConfigProvider>
                ),
              },
              {
                key: 'sandbox',
                label: (
                  <Space size={6}>
                    <ExperimentOutlined />
                    {t('creditRules.sandbox.title')}
                  </Space>
                ),
                children: (
                  <ConfigProvider componentDisabled={false}>
                    <SandboxPanel
                      running={sandbox.isPending}
                      result={sandbox.data}
                      error={sandbox.error}
                      dirtyNote={dirty && !readOnly}
                      onRun={(asOf) => run(() => sandbox.mutate(asOf))}
                    />
                  </ConfigProvider>
                ),
              },
            ]}
          />
        </Form>
      </Card>
    </>
  );
}
