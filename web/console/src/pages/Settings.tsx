import { Result } from 'antd';

export function Settings() {
  return <Result status="info" title="Settings" />;
}
