import { Flex, Typography } from 'antd';
import type { ReactNode } from 'react';

interface PageTitleProps {
  title: ReactNode;
  subtitle?: ReactNode;
  extra?: ReactNode;
  /** Rendered before the title (a back link, for example). */
  prefix?: ReactNode;
  'data-testid'?: string;
}

/** The heading block every page starts with. */
export default function PageTitle({ title, subtitle, extra, prefix, ...rest }: PageTitleProps) {
  return (
    <Flex justify="space-between" align="flex-end" wrap gap={12} style={{ marginBottom: 16 }}>
      <div>
        {prefix}
        <Typography.Title level={4} style={{ margin: 0 }} data-testid={rest['data-testid']}>
          {title}
        </Typography.Title>
        {subtitle && (
          <Typography.Text type="secondary" style={{ display: 'block', marginTop: 4 }}>
            {subtitle}
          </Typography.Text>
        )}
      </div>
      {extra && (
        <Flex gap={8} wrap>
          {extra}
        </Flex>
      )}
    </Flex>
  );
}
