namespace Portier.Server.Features.MemberApp;

public static class MemberAppRoutes
{
    public const string Messages = "app-messages";
    public const string MessageRules = "app-message-rules";
    public const string Invitations = "app-invitations";
    /// <summary>A site's member app settings, under the sites group.</summary>
    public const string SiteSettings = "/{id:guid}/member-app";
    /// <summary>A person's member app invitation, under the people group.</summary>
    public const string PersonInvitation = "/{id:guid}/app-invitation";
}
