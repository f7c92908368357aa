import * as fs from 'fs';
import * as path from 'path';
import { renderFailoverDoc } from './docs';

const file = path.join(__dirname, '..', 'docs', 'FAILOVER-BUDGETS.md');
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, renderFailoverDoc());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
