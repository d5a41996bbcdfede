import { Result } from 'antd';

export function Tariffs() {
  return <Result status="info" title="Tariffs" />;
}
