import { Tag } from 'antd';
import type { TFunction } from 'i18next';

export const CASE_STATUSES = ['resolved', 'in_progress', 'on_hold'] as const;
const COLOR: Record<string, string> = { resolved: 'green', in_progress: 'blue', on_hold: 'default' };
export const CaseStatusTag = ({ status, t }: { status: string; t: TFunction }) => <Tag color={COLOR[status]}>{t(`sup.cst.${status}`)}</Tag>;
