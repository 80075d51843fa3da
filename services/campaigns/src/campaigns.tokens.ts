// Injection tokens of the campaigns service (the kit's own tokens come from @dailydesk/service-kit).

/** The quoted name of the service's table schema, available once its migrations ran. */
export const SCHEMA = Symbol('campaigns:schema');
/** `() => Date`: the service's clock (tests inject a fixed one). */
export const CLOCK = Symbol('campaigns:clock');
/** The campaigns configuration ({@link CampaignsConfig}). */
export const CAMPAIGNS_CONFIG = Symbol('campaigns:config');
/** Test hooks of the run executor ({@link RunHooks}). */
export const RUN_HOOKS = Symbol('campaigns:run-hooks');

export type Clock = () => Date;
