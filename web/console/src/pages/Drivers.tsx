import { Result } from 'antd';

export function Drivers() {
  return <Result status="info" title="Drivers" />;
}
