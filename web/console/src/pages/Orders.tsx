import { Result } from 'antd';

export function Orders() {
  return <Result status="info" title="Orders" />;
}
