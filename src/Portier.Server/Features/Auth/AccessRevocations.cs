namespace Portier.Server.Features.Auth;

/// <summary>
/// Told when access may have ended for someone: a token or session revoked, an admin disabled or
/// changed, a role changed. Whatever holds long-lived connections (the live stream) re-checks them
/// at once instead of waiting for its next periodic check, which still catches changes made on
/// other nodes.
/// </summary>
public sealed class AccessRevocations
{
    public event Action? Changed;

    public void Announce() => Changed?.Invoke();
}
