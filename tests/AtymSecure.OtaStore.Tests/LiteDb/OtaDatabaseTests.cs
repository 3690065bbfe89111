using AtymSecure.OtaStore.LiteDb;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaStore.Tests.LiteDb;

public class OtaDatabaseTests
{
    [Fact]
    public void A_second_process_on_the_same_folder_is_refused_with_the_folder_named()
    {
        using var folder = TempFolder.Create("ota-db");
        using var first = new OtaDatabase(folder.Path);
        var e = Assert.Throws<IOException>(() => new OtaDatabase(folder.Path));
        Assert.Contains(folder.Path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_write_inside_a_write_joins_its_transaction_so_a_failure_later_undoes_both()
    {
        using var folder = TempFolder.Create("ota-db");
        using var database = new OtaDatabase(folder.Path);
        var devices = new LiteDbDeviceStore(database);
        Assert.Throws<InvalidOperationException>(() => database.Write<int>(() =>
        {
            Assert.True(devices.TryAdd(Contract.Samples.Device("atym-1")));
            Assert.True(devices.TryAdd(Contract.Samples.Device("atym-2")));
            throw new InvalidOperationException("fails after both inner writes");
        }));
        Assert.Null(devices.Find("atym-1"));
        Assert.Null(devices.Find("atym-2"));
        Assert.Equal(2, database.Write(() => (devices.TryAdd(Contract.Samples.Device("atym-1")) ? 1 : 0) + (devices.TryAdd(Contract.Samples.Device("atym-2")) ? 1 : 0)));
        Assert.Equal(["atym-1", "atym-2"], devices.List(null, 10).Select(d => d.Id));
    }

    /// <summary>No public member of the store assembly mentions a LiteDB type (issue 12: no LiteDB type leaks out).</summary>
    [Fact]
    public void No_public_signature_of_the_store_names_a_LiteDB_type()
    {
        var leaks = typeof(OtaDatabase).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMembers(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly)
                .SelectMany(m => TypesOf(m).Select(used => (Member: $"{t.Name}.{m.Name}", used))))
            .Where(x => x.used.Assembly.GetName().Name == "LiteDB")
            .Select(x => x.Member)
            .ToList();
        Assert.Empty(leaks);
    }

    private static IEnumerable<Type> TypesOf(System.Reflection.MemberInfo member) => member switch
    {
        System.Reflection.MethodInfo m => [m.ReturnType, .. m.GetParameters().Select(p => p.ParameterType)],
        System.Reflection.PropertyInfo p => [p.PropertyType],
        System.Reflection.FieldInfo f => [f.FieldType],
        System.Reflection.ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
        _ => [],
    };
}
