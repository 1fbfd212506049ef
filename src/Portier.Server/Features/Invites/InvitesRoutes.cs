namespace Portier.Server.Features.Invites;

public static class InvitesRoutes
{
    public const string Group = "invites";
    public const string Invite = "/{reference}";
    public const string Issue = "/{reference}/issue";
    public const string Pass = "/{reference}/qr";
    public const string Action = "/{reference}/actions/{action}";
    /// <summary>The member's own invites.</summary>
    public const string Own = "app/invites";
}

public static class ChannelsRoutes
{
    public const string Handlers = "channel-handlers";
    public const string Group = "channels";
    public const string InboundSecret = "/{id:guid}/inbound-secret";
    public const string Sites = "/{id:guid}/sites";
    public const string InboundValidate = "/{code}/validate";
}

public static class AccessSettingsRoutes
{
    public const string Group = "access-settings";
    public const string QrKeys = "/qr-keys";
    public const string RotateKey = "/qr-keys/rotate";
    public const string RetireKey = "/qr-keys/{keyId}/retire";
    /// <summary>A person's member permissions, under the people group.</summary>
    public const string MemberPermissions = "/{id:guid}/member-permissions";
}

public static class EntryTypesRoutes
{
    public const string Group = "entry-types";
    public const string PointsOfEntry = "points-of-entry";
}

public static class GateRoutes
{
    public const string Group = "access";
    public const string Validate = "/validate";
}
