import { lazy, Suspense, useEffect, useState, type ComponentType } from 'react';
import { Alert, Layout, Menu, Select, Space, Spin, Dropdown, Button, Typography, Result, Input } from 'antd';
import {
  DashboardOutlined,
  ThunderboltOutlined,
  FileTextOutlined,
  WarningOutlined,
  LineChartOutlined,
  UserOutlined,
  WalletOutlined,
  ApiOutlined,
  ScheduleOutlined,
  SettingOutlined,
  CustomerServiceOutlined,
  AuditOutlined,
  BankOutlined,
  AlertOutlined,
  CloudUploadOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { get, session } from './api.ts';
import { navigate, useLocation, match } from './router.ts';
import { LangSwitch } from './components/LangSwitch.tsx';
import { operatorZone, setOperatorZone } from './zone.ts';
import { differsFromBrowser, offsetLabel } from '../../shared/zone.ts';

const page = (f: () => Promise<any>, name: string) => lazy(() => f().then((m) => ({ default: m[name] })));

// One chunk per screen: the console splits by route.
const Dashboard = page(() => import('./pages/Dashboard.tsx'), 'Dashboard');
const Stations = page(() => import('./pages/Stations.tsx'), 'Stations');
const ChargerDetail = page(() => import('./pages/ChargerDetail.tsx'), 'ChargerDetail');
const Orders = page(() => import('./pages/Orders.tsx'), 'Orders');
const OrderDetail = page(() => import('./pages/OrderDetail.tsx'), 'OrderDetail');
const Abnormal = page(() => import('./pages/Abnormal.tsx'), 'Abnormal');
const Tariffs = page(() => import('./pages/Tariffs.tsx'), 'Tariffs');
const Drivers = page(() => import('./pages/Drivers.tsx'), 'Drivers');
const Payments = page(() => import('./pages/Payments.tsx'), 'Payments');
const Roaming = page(() => import('./pages/Roaming.tsx'), 'Roaming');
const Reconciliation = page(() => import('./pages/Reconciliation.tsx'), 'Reconciliation');
const ReconciliationRun = page(() => import('./pages/ReconciliationRun.tsx'), 'ReconciliationRun');
const Settings = page(() => import('./pages/Settings.tsx'), 'Settings');
const Jobs = page(() => import('./pages/Jobs.tsx'), 'Jobs');
const SupportLookup = page(() => import('./pages/support/Lookup.tsx'), 'SupportLookup');
const SupportStory = page(() => import('./pages/support/Story.tsx'), 'SupportStory');
const WhoCharged = page(() => import('./pages/support/WhoCharged.tsx'), 'WhoCharged');
const SupportCases = page(() => import('./pages/support/Cases.tsx'), 'SupportCases');
const CaseEditor = page(() => import('./pages/support/CaseEditor.tsx'), 'CaseEditor');
const SupportReveals = page(() => import('./pages/support/Reveals.tsx'), 'SupportReveals');
const Incidents = page(() => import('./pages/security/Incidents.tsx'), 'Incidents');
const IncidentDetail = page(() => import('./pages/security/IncidentDetail.tsx'), 'IncidentDetail');
const Firmware = page(() => import('./pages/firmware/Firmware.tsx'), 'Firmware');
const CampaignDetail = page(() => import('./pages/firmware/CampaignDetail.tsx'), 'CampaignDetail');
const Enterprises = page(() => import('./pages/enterprise/Enterprises.tsx'), 'Enterprises');
const EnterpriseDetail = page(() => import('./pages/enterprise/EnterpriseDetail.tsx'), 'EnterpriseDetail');

const ROUTES: { path: string; comp: ComponentType<any>; menu?: string }[] = [
  { path: '/', comp: Dashboard, menu: '/' },
  { path: '/stations', comp: Stations, menu: '/stations' },
  { path: '/chargers/:id', comp: ChargerDetail, menu: '/stations' },
  { path: '/orders', comp: Orders, menu: '/orders' },
  { path: '/orders/:orderNo', comp: OrderDetail, menu: '/orders' },
  { path: '/abnormal', comp: Abnormal, menu: '/abnormal' },
  { path: '/incidents', comp: Incidents, menu: '/incidents' },
  { path: '/incidents/:id', comp: IncidentDetail, menu: '/incidents' },
  { path: '/firmware', comp: Firmware, menu: '/firmware' },
  { path: '/firmware/campaigns/:id', comp: CampaignDetail, menu: '/firmware' },
  { path: '/tariffs', comp: Tariffs, menu: '/tariffs' },
  { path: '/drivers', comp: Drivers, menu: '/drivers' },
  { path: '/enterprises', comp: Enterprises, menu: '/enterprises' },
  { path: '/enterprises/:id', comp: EnterpriseDetail, menu: '/enterprises' },
  { path: '/payments', comp: Payments, menu: '/payments' },
  { path: '/roaming', comp: Roaming, menu: '/roaming' },
  { path: '/reconciliation', comp: Reconciliation, menu: '/reconciliation' },
  { path: '/reconciliation/:id', comp: ReconciliationRun, menu: '/reconciliation' },
  { path: '/jobs', comp: Jobs, menu: '/jobs' },
  { path: '/settings', comp: Settings, menu: '/settings' },
  { path: '/support/lookup', comp: SupportLookup, menu: '/support/lookup' },
  { path: '/support/story/:orderNo', comp: SupportStory, menu: '/support/lookup' },
  { path: '/support/session/:sessionId', comp: SupportStory, menu: '/support/lookup' },
  { path: '/support/who-charged', comp: WhoCharged, menu: '/support/who-charged' },
  { path: '/support/cases', comp: SupportCases, menu: '/support/cases' },
  { path: '/support/cases/:id', comp: CaseEditor, menu: '/support/cases' },
  { path: '/support/reveals', comp: SupportReveals, menu: '/support/reveals' },
];

export function Shell({ onLogout }: { onLogout: () => void }) {
  const { t } = useTranslation();
  const { path } = useLocation();
  const me = session.me()!;
  const [operators, setOperators] = useState<{ id: string; name: string; timezone?: string }[]>([]);
  const [operatorId, setOperatorId] = useState<string | null>(session.operator());
  // pages wait for the operator's time zone (issue 18.5): no time is ever drawn in the browser's zone first
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    get<{ items: { id: string; name: string; timezone?: string }[] }>('/operators')
      .then((r) => {
        setOperators(r.items);
        if (!session.operator() && r.items[0]) (session.setOperator(r.items[0].id), setOperatorId(r.items[0].id));
      })
      .catch(() => {})
      .finally(() => setLoaded(true));
  }, []);
  setOperatorZone(operators.find((o) => o.id === operatorId)?.timezone);
  const zone = operatorZone();
  const now = dayjs().valueOf();
  // Case 4/5: a public URL that does not reach this instance is shown loudly on every screen.
  const [publicUrl, setPublicUrl] = useState<{ ok: boolean; message: string } | null>(null);
  // An enterprise admin (issue 17) sees its own enterprise only: one menu entry, no operator pages.
  const ownEnterprise = me.role === 'enterprise_admin' ? (me.enterpriseId ?? null) : null;
  useEffect(() => {
    if (!operatorId || ownEnterprise) return;
    get<{ ok: boolean; message: string }>('/settings/public-url').then(setPublicUrl).catch(() => setPublicUrl(null));
  }, [operatorId]);
  const isAdmin = me.role === 'platform_admin';
  let found: { comp: ComponentType<any>; params: Record<string, string>; menu?: string } | null = null;
  const entPath = ownEnterprise ? `/enterprises/${encodeURIComponent(ownEnterprise)}` : null;
  const routes = ownEnterprise ? ROUTES.filter((r) => r.path === '/enterprises/:id') : ROUTES;
  if (ownEnterprise && (path === '/' || path === '/enterprises')) found = { comp: EnterpriseDetail, params: { id: ownEnterprise }, menu: entPath! };
  for (const r of found ? [] : routes) {
    const m = match(r.path, path);
    if (m) {
      found = { comp: r.comp, params: m, menu: ownEnterprise ? entPath! : r.menu };
      break;
    }
  }
  const items = ownEnterprise ? [{ key: entPath!, icon: <BankOutlined />, label: t('nav.enterprises') }] : [
    { key: '/', icon: <DashboardOutlined />, label: t('nav.dashboard') },
    { key: '/stations', icon: <ThunderboltOutlined />, label: t('nav.stations') },
    { key: '/orders', icon: <FileTextOutlined />, label: t('nav.orders') },
    { key: '/abnormal', icon: <WarningOutlined />, label: t('nav.abnormal') },
    { key: '/incidents', icon: <AlertOutlined />, label: t('nav.incidents') },
    { key: '/firmware', icon: <CloudUploadOutlined />, label: t('nav.firmware') },
    { key: '/tariffs', icon: <LineChartOutlined />, label: t('nav.tariffs') },
    { key: '/drivers', icon: <UserOutlined />, label: t('nav.drivers') },
    { key: '/enterprises', icon: <BankOutlined />, label: t('nav.enterprises') },
    { key: '/payments', icon: <WalletOutlined />, label: t('nav.payments') },
    { key: '/roaming', icon: <ApiOutlined />, label: t('nav.roaming') },
    { key: '/reconciliation', icon: <AuditOutlined />, label: t('nav.reconciliation') },
    { key: '/jobs', icon: <ScheduleOutlined />, label: t('nav.jobs') },
    {
      key: '/support',
      icon: <CustomerServiceOutlined />,
      label: t('nav.support'),
      children: [
        { key: '/support/lookup', label: t('nav.support.lookup') },
        { key: '/support/who-charged', label: t('nav.support.who') },
        { key: '/support/cases', label: t('nav.support.cases') },
        ...(me.role !== 'operator_staff' ? [{ key: '/support/reveals', label: t('nav.support.reveals') }] : []),
      ],
    },
    { key: '/settings', icon: <SettingOutlined />, label: t('nav.settings') },
  ];
  const opName = operators.find((o) => o.id === operatorId)?.name ?? operatorId;
  const Comp = found?.comp;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={64} width={208} theme="dark" data-testid="sider">
        <div style={{ color: '#fff', fontWeight: 600, fontSize: 16, padding: '18px 20px', whiteSpace: 'nowrap', overflow: 'hidden' }}>⚡ {t('app.short')}</div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={[found?.menu ?? '']}
          defaultOpenKeys={path.startsWith('/support') ? ['/support'] : []}
          items={items}
          onClick={(e) => navigate(e.key)}
          data-testid="nav"
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: '0 24px', display: 'flex', alignItems: 'center', justifyContent: 'space-between', borderBottom: '1px solid #f0f0f0' }}>
          <Space size="large">
            <Typography.Text strong data-testid="operator-name">
              {opName ?? ''}
            </Typography.Text>
            {/* the support look-up on every page: any key → the sessions it names */}
            {operatorId && !ownEnterprise && (
              <Input.Search
                allowClear
                size="middle"
                style={{ width: 340, verticalAlign: 'middle' }}
                placeholder={t('sup.lookup.placeholder')}
                onSearch={(v) => v.trim() && navigate(`/support/lookup?q=${encodeURIComponent(v.trim())}`)}
                data-testid="header-lookup"
              />
            )}
          </Space>
          <Space size="middle">
            {loaded && differsFromBrowser(now, zone) && (
              <Typography.Text type="secondary" data-testid="zone-note">
                {t('zone.note', { zone, offset: offsetLabel(now, zone) })}
              </Typography.Text>
            )}
            {isAdmin && (
              <Select
                data-testid="operator-switch"
                style={{ minWidth: 200 }}
                placeholder={t('operator.pick')}
                value={operatorId ?? undefined}
                options={operators.map((o) => ({ value: o.id, label: `${o.name} (${o.id})` }))}
                onChange={(v: string) => (session.setOperator(v), setOperatorId(v))}
              />
            )}
            <LangSwitch />
            <Dropdown menu={{ items: [{ key: 'logout', label: t('logout'), onClick: onLogout }] }}>
              <Button type="text" data-testid="user-menu">
                <UserOutlined /> {me.username} · {t(`role.${me.role}`)}
              </Button>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: 24, minWidth: 0 }}>
          {publicUrl && !publicUrl.ok && (
            <Alert type="error" showIcon banner style={{ marginBottom: 16 }} message={t('set.bad')} description={publicUrl.message} data-testid="public-url-banner" />
          )}
          {!operatorId ? (
            <Result status="info" title={t('operator.needed')} />
          ) : !loaded ? (
            <Spin style={{ display: 'block', margin: 80 }} />
          ) : (
            <Suspense fallback={<Spin style={{ display: 'block', margin: 80 }} />}>
              {Comp ? <Comp key={`${operatorId}|${zone}|${path}`} params={found!.params} operatorId={operatorId} /> : <Result status="404" title="404" />}
            </Suspense>
          )}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
