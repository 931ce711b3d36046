/**
 * Evidence files for a credit record, an objection or a removal application. Each file is uploaded
 * on its own (POST /api/v1/credit/evidence) as soon as it is chosen; the form value is the list of
 * evidence ids the server returned.
 */
import { UploadOutlined } from '@ant-design/icons';
import { Button, Typography, Upload, type UploadFile } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage, showApiError } from '../api/client';
import { creditApi, type UploadedEvidence } from '../api/credit';

export const EVIDENCE_ACCEPT = '.pdf,.jpg,.jpeg,.png,.ofd,.docx,.xlsx';
const ALLOWED = /\.(pdf|jpe?g|png|ofd|docx|xlsx)$/i;
const MAX_BYTES = 10 * 1024 * 1024;

interface Props {
  value?: string[];
  onChange?: (ids: string[]) => void;
  /** Told whether any file is still uploading, so the form can hold its submit button. */
  onBusyChange?: (busy: boolean) => void;
  id?: string;
  'data-testid'?: string;
}

export default function EvidenceUpload({ onChange, onBusyChange, id, ...rest }: Props) {
  const { t } = useTranslation();
  const [fileList, setFileList] = useState<UploadFile<UploadedEvidence>[]>([]);

  const update = (list: UploadFile<UploadedEvidence>[]) => {
    setFileList(list);
    onBusyChange?.(list.some((f) => f.status === 'uploading'));
    onChange?.(
      list
        .filter((f) => f.status === 'done' && f.response?.id)
        .map((f) => (f.response as UploadedEvidence).id),
    );
  };

  return (
    <div id={id} data-testid={rest['data-testid']}>
      <Upload<UploadedEvidence>
        multiple
        accept={EVIDENCE_ACCEPT}
        fileList={fileList}
        beforeUpload={(file) => {
          if (!ALLOWED.test(file.name)) {
            showApiError(new Error(t('credit.evidence.badType')));
            return Upload.LIST_IGNORE;
          }
          if (file.size > MAX_BYTES) {
            showApiError(new Error(t('credit.evidence.tooLarge')));
            return Upload.LIST_IGNORE;
          }
          return true;
        }}
        customRequest={({ file, onSuccess, onError }) => {
          creditApi
            .uploadEvidence(file as File)
            .then((res) => onSuccess?.(res))
            .catch((err: unknown) => {
              showApiError(err);
              onError?.(new Error(errorMessage(err)));
            });
        }}
        onChange={({ fileList: next }) =>
          update(
            next.map((f) =>
              f.status === 'error' ? { ...f, response: undefined, error: { message: f.error?.message } } : f,
            ),
          )
        }
      >
        <Button icon={<UploadOutlined />}>{t('credit.evidence.add')}</Button>
      </Upload>
      <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block', marginTop: 4 }}>
        {t('credit.evidence.hint')}
      </Typography.Text>
    </div>
  );
}
