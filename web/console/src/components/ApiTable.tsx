import { useState, type ReactNode } from 'react';
import { Card, Table, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { qs, type ApiError } from '../api.ts';
import { useApi } from '../hooks.ts';
import { ApiErrorAlert } from './ApiErrorAlert.tsx';

type Listed<T> = { data?: { items: T[]; total?: number }; error: ApiError | null; loading: boolean };

/**
 * A server-paged list (`{items, total}`): the page and page size live here and go into the query after
 * the filters; changing a filter should call `firstPage()` (batched with the filter's own setState: one
 * request). `pagination` is what <ApiTable> hands to antd.
 */
export function usePagedApi<T = any>(path: string, filters: Record<string, unknown> = {}, opts: { pageSize?: number; showTotal?: boolean } = {}) {
  const { t } = useTranslation();
  const [page, setPage] = useState({ page: 1, pageSize: opts.pageSize ?? 20 });
  const api = useApi<{ items: T[]; total: number }>(`${path}${qs({ ...filters, ...page })}`);
  const pagination: TableProps<T>['pagination'] = {
    current: page.page,
    pageSize: page.pageSize,
    total: api.data?.total ?? 0,
    onChange: (p, ps) => setPage({ page: p, pageSize: ps }),
    ...(opts.showTotal === false ? {} : { showTotal: (n: number) => t('common.total', { n }) }),
  };
  return { ...api, page, firstPage: () => setPage((p) => ({ ...p, page: 1 })), pagination };
}

/**
 * The console's list layout, shared by the list pages: the API's error above a card (title/extra) that
 * holds a small antd Table fed by a `useApi`/`usePagedApi` result. Table props pass through
 * (rowKey, columns, onRow, data-testid, pagination: antd's own when not given).
 */
export function ApiTable<T extends object = any>({ api, title, extra, children, ...table }: Omit<TableProps<T>, 'title'> & { api: Listed<T>; title?: ReactNode; extra?: ReactNode; children?: ReactNode }) {
  return (
    <>
      <ApiErrorAlert error={api.error} />
      <Card title={title} extra={extra}>
        <Table<T> size="small" loading={api.loading} dataSource={api.data?.items ?? []} {...table} />
        {children}
      </Card>
    </>
  );
}
