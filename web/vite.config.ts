import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * One build, two apps: the console (antd, split by route) and the driver H5 (plain React, small).
 * Assets are served under /web/ by src/modules/web; the HTML under /console and /h5/{operatorId}.
 */
export default defineConfig({
  root: here('.'),
  base: '/web/',
  plugins: [react()],
  build: {
    outDir: here('./dist/app'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: { console: here('./console/index.html'), h5: here('./h5/index.html') },
    },
  },
  server: { proxy: { '/api': 'http://localhost:8080' } },
});
