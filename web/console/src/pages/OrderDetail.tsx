import { Result } from 'antd';

export function OrderDetail() {
  return <Result status="info" title="OrderDetail" />;
}
