/** What the pay page shows of an order (server.ts's FakeOrder has these and more). */
export interface PayPageOrder {
  out_trade_no: string;
  description: string;
  amount: number;
  trade_state: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The fake's stand-in for WeChat's checkout page (h5_url): one button that pays the order. */
export function fakePayPage(o: PayPageOrder, redirectUrl: string | null): string {
  const yuan = (o.amount / 100).toFixed(2);
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>微信支付（模拟）</title><style>body{font-family:sans-serif;max-width:420px;margin:40px auto;text-align:center}button{background:#07c160;color:#fff;border:0;border-radius:6px;padding:12px 40px;font-size:18px}</style></head>
<body><p>模拟微信支付 · fake WeChat Pay</p><h2>${esc(o.description)}</h2><h1>¥${yuan}</h1><p>${esc(o.out_trade_no)} · ${esc(o.trade_state)}</p>
<button id="pay" ${o.trade_state !== 'NOTPAY' ? 'disabled' : ''}>支付 Pay</button><p id="msg"></p>
<script>document.getElementById('pay').onclick=async()=>{const r=await fetch('/fake/pay/${encodeURIComponent(o.out_trade_no)}',{method:'POST',headers:{'content-type':'application/json'},body:'{}'});
document.getElementById('msg').textContent=r.ok?'支付成功 paid':'failed '+r.status;${redirectUrl ? `if(r.ok)setTimeout(()=>location.href=${JSON.stringify(redirectUrl)},800);` : ''}};</script></body></html>`;
}
