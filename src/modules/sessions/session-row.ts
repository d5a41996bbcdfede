/** A sessions row as stored; its own file so the meter writer and the service share it without a cycle. */
export interface SessionRow {
  id: number;
  operator_id: string;
  station_id: string | null;
  charger_id: string;
  connector_id: number;
  origin: 'charger' | 'app' | 'partner' | 'staff';
  id_tag: string | null;
  id_tag_status: string | null;
  driver_phone: string | null;
  partner_id: string | null;
  start_charge_seq: string | null;
  status: 'active' | 'finished';
  meter_start_wh: number;
  meter_stop_wh: number | null;
  started_at: Date;
  stopped_at: Date | null;
  charging_ended_at: Date | null;
  unplugged_at: Date | null;
  stop_reason: string | null;
  stop_id_tag: string | null;
  soc_start: number | null;
  soc_end: number | null;
  last_energy_wh: number | null;
  last_power_w: number | null;
  last_sample_at: Date | null;
  tariff_version_id: number | null;
  live_cost: unknown;
  flags: string[];
  transaction_data: unknown;
  start_dedupe_key: string | null;
  start_received_at: Date;
  stop_received_at: Date | null;
  stop_answer: Record<string, unknown> | null;
  updated_at: Date;
}
