/** ECS compatibility modes (`ecs_compatibility`, `pipeline.ecs_compatibility`); `v8` is Logstash 8's default. */
export type EcsMode = 'disabled' | 'v1' | 'v8';
export const ECS_VALUES = ['disabled', 'v1', 'v8'] as const;
