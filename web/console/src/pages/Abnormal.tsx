import { Result } from 'antd';

export function Abnormal() {
  return <Result status="info" title="Abnormal" />;
}
