import { useEffect, useRef, useState } from 'react';
import { t } from './i18n.ts';
import { parseCode } from './qr.ts';

/**
 * Scans with the camera where the browser has BarcodeDetector (Chrome on Android). Inside WeChat the
 * app's own scanner opens the QR URL directly, so the button only shows where it can work.
 */
export const canScan = () => typeof window !== 'undefined' && 'BarcodeDetector' in window && !!navigator.mediaDevices?.getUserMedia;

export function Scan({ onCode, onClose }: { onCode: (c: { c: string; g: string }) => void; onClose: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setInterval> | undefined;
    (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        video.current!.srcObject = stream;
        await video.current!.play();
        const detector = new (window as any).BarcodeDetector({ formats: ['qr_code'] });
        timer = setInterval(async () => {
          const found = await detector.detect(video.current).catch(() => []);
          for (const f of found) {
            const code = parseCode(f.rawValue);
            if (code) return onCode(code);
          }
        }, 300);
      } catch (e) {
        setErr((e as Error).message);
      }
    })();
    return () => {
      clearInterval(timer);
      stream?.getTracks().forEach((tr) => tr.stop());
    };
  }, []);
  return (
    <div className="card">
      <video ref={video} playsInline muted style={{ width: '100%', borderRadius: 8, background: '#000' }} />
      {err && <div className="err">{err}</div>}
      <button className="btn ghost" onClick={onClose}>
        {t('back')}
      </button>
    </div>
  );
}
