import { SearchOutlined } from '@ant-design/icons';
import { Button, Input, Space } from 'antd';
import type { CSSProperties, ReactNode } from 'react';

interface SearchInputProps {
  value: string;
  onChange: (value: string) => void;
  onSearch: (value: string) => void;
  placeholder?: string;
  buttonText: ReactNode;
  size?: 'middle' | 'large';
  style?: CSSProperties;
  /** Put on the <input> itself, so tests can type into it. */
  'data-testid'?: string;
}

/** A text box with a search button; Enter or the button runs the search. */
export default function SearchInput({
  value,
  onChange,
  onSearch,
  placeholder,
  buttonText,
  size,
  style,
  ...rest
}: SearchInputProps) {
  return (
    <Space.Compact style={{ width: '100%', ...style }} size={size}>
      <Input
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
          // Clearing with the × runs the search at once, as people expect.
          if (e.type === 'click' && !e.target.value) onSearch('');
        }}
        onPressEnter={() => onSearch(value)}
        placeholder={placeholder}
        allowClear
        prefix={<SearchOutlined style={{ color: '#a0a7b4' }} />}
        data-testid={rest['data-testid']}
      />
      <Button
        type="primary"
        onClick={() => onSearch(value)}
        data-testid={rest['data-testid'] ? `${rest['data-testid']}-button` : undefined}
      >
        {buttonText}
      </Button>
    </Space.Compact>
  );
}
