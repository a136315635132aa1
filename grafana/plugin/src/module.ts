import { AppPlugin } from '@grafana/data';

/**
 * The tsp-bridge app: a bundle for the datasource in datasource/ (and the
 * kernel view panel to come). The app itself has no pages yet.
 */
export const plugin = new AppPlugin<{}>();
