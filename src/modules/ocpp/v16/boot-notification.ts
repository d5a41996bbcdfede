import { getChargerRow, recordBoot } from '../../registry/index.ts';
import type { Handler } from './types.ts';

interface BootNotificationReq {
  chargePointVendor: string;
  chargePointModel: string;
  chargePointSerialNumber?: string;
  chargeBoxSerialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
}

/** Accepted with the heartbeat interval for a commissioned charger; Pending for one admitted for commissioning. */
export const bootNotification: Handler<BootNotificationReq> = async ({ ctx, conn, params }) => {
  const row = await getChargerRow(ctx.db, conn.chargerId);
  conn.commissioned = row?.commissioned ?? false;
  const status = conn.commissioned ? 'Accepted' : 'Pending';
  await recordBoot(ctx.db, conn.chargerId, {
    vendor: params.chargePointVendor,
    model: params.chargePointModel,
    serialNumber: params.chargePointSerialNumber ?? params.chargeBoxSerialNumber,
    firmwareVersion: params.firmwareVersion,
    iccid: params.iccid,
    imsi: params.imsi,
    meterType: params.meterType,
    status,
  });
  return { status, currentTime: ctx.clock.date().toISOString(), interval: ctx.config.HEARTBEAT_INTERVAL_S };
};
