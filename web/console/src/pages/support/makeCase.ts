import { post } from '../../api.ts';
import { navigate } from '../../router.ts';

/** One click: a case from the order, every template field filled by the server; then its editor. */
export async function makeCaseFrom(orderNo: string): Promise<{ id: number; caseNo: string }> {
  const c = await post<{ id: number; caseNo: string }>('/support/cases', { orderNo, description: '' });
  navigate(`/support/cases/${c.id}`);
  return c;
}
