namespace AtymSecure.OtaDashboard;

/// <summary>The dashboard's own refusal codes (the rest are <see cref="OtaProblemCodes"/>).</summary>
public static class DashboardProblemCodes
{
    public const string CrossSite = "cross-site-form";
    public const string FormTokenInvalid = "form-token-invalid";
    public const string FilterInvalid = "filter-invalid";
}
