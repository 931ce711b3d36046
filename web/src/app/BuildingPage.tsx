import { ToolOutlined } from '@ant-design/icons';
import { Button, Card, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';

/** Placeholder for a module listed in the menu but not built yet. */
export default function BuildingPage({ labelKey }: { labelKey: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Card>
      <Result
        icon={<ToolOutlined style={{ color: '#8c9bb5' }} />}
        title={t('building.title')}
        subTitle={t('building.sub', { name: t(labelKey) })}
        extra={<Button onClick={() => navigate('/')}>{t('common.backHome')}</Button>}
      />
    </Card>
  );
}
