import { Result } from 'antd';

export function Payments() {
  return <Result status="info" title="Payments" />;
}
