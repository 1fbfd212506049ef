namespace Portier.Server.Features.Webhooks;

public static class WebhooksRoutes
{
    public const string Group = "webhooks";
    public const string EventTypes = "/event-types";
    public const string Enable = "/{id:guid}/enable";
    public const string Disable = "/{id:guid}/disable";
    public const string Test = "/{id:guid}/test";
    public const string Deliveries = "/{id:guid}/deliveries";
    public const string Attempts = "/{id:guid}/deliveries/{deliveryId:long}/attempts";
    public const string Replay = "/{id:guid}/deliveries/{deliveryId:long}/replay";
}
