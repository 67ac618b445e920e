// The projection thread's entry (src: projections/runnerThread.ts). A worker does not inherit the main
// thread's TypeScript loader, so it registers tsx itself before loading the runner.
import { register } from 'tsx/esm/api';

register();
await import('./runnerThreadMain.ts');
