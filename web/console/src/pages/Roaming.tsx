import { Result } from 'antd';

export function Roaming() {
  return <Result status="info" title="Roaming" />;
}
