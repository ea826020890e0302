// Imported first by main.tsx: zod would otherwise probe `new Function` once, which the CSP (script-src 'self') blocks and reports.
import { z } from 'zod';

z.config({ jitless: true });
