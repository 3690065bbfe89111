using LiteDB;

namespace AtymSecure.OtaStore.LiteDb;

/// <summary>
/// A LiteDB collection of immutable records kept as their System.Text.Json text, plus the few fields queries need
/// copied beside it (indexed). Why JSON and not LiteDB's mapper: the records are positional, immutable and hold
/// EquatableList/EquatableMap, which STJ reads and LiteDB's mapper does not; and the same JSON is what a PostgreSQL
/// store keeps in a json column. Field values are parameters, never spliced into expression text (LiteDB
/// compiles and caches each distinct expression text forever).
/// </summary>
internal sealed class JsonCollection<T>
    where T : class
{
    private const string JsonField = "json";

    private readonly ILiteCollection<BsonDocument> _collection;
    private readonly Func<T, string> _id;
    private readonly Func<T, IEnumerable<(string Field, BsonValue Value)>> _fields;

    public JsonCollection(OtaDatabase database, string name, Func<T, string> id,
        Func<T, IEnumerable<(string Field, BsonValue Value)>>? fields = null, params string[] indexes)
    {
        _collection = database.Database.GetCollection(name);
        _id = id;
        _fields = fields ?? (_ => []);
        foreach (var index in indexes) _collection.EnsureIndex(index, "$." + index);
    }

    public bool Insert(T value)
    {
        var id = _id(value);
        if (_collection.FindById(id) is not null) return false;
        _collection.Insert(ToDocument(id, value));
        return true;
    }

    public void Upsert(T value) => _collection.Upsert(ToDocument(_id(value), value));

    public bool Delete(string id) => _collection.Delete(id);

    public T? Find(string id) => _collection.FindById(id) is { } doc ? FromDocument(doc) : null;

    public bool Exists() => _collection.Count() > 0;

    public IEnumerable<T> All() => _collection.FindAll().Select(FromDocument);

    /// <summary>Documents where <c>field = value</c>.</summary>
    public IEnumerable<T> Where(string field, BsonValue value) =>
        _collection.Find(BsonExpression.Create($"$.{field} = @0", value)).Select(FromDocument);

    /// <summary>Documents ordered by <paramref name="orderField"/> with <c>where</c> (a parameterised predicate) applied.</summary>
    public IEnumerable<T> Query(string? where, BsonValue[] parameters, string orderField, int limit, bool descending = false)
    {
        var query = _collection.Query();
        if (where is not null) query = query.Where(BsonExpression.Create(where, parameters));
        query = descending ? query.OrderByDescending(BsonExpression.Create("$." + orderField)) : query.OrderBy(BsonExpression.Create("$." + orderField));
        return query.Limit(limit).ToEnumerable().Select(FromDocument);
    }

    /// <summary>Rewrites the documents that lack <paramref name="field"/> (stored before it was copied beside the JSON), so
    /// queries on it see every record.</summary>
    public int Backfill(string field)
    {
        var stale = _collection.Find(BsonExpression.Create($"$.{field} = null")).ToList();
        foreach (var doc in stale) Upsert(FromDocument(doc));
        return stale.Count;
    }

    public long Count(string field, BsonValue value) => _collection.LongCount(BsonExpression.Create($"$.{field} = @0", value));

    private BsonDocument ToDocument(string id, T value)
    {
        var doc = new BsonDocument { ["_id"] = id, [JsonField] = StoreJson.Serialize(value) };
        foreach (var (field, fieldValue) in _fields(value)) doc[field] = fieldValue;
        return doc;
    }

    private static T FromDocument(BsonDocument doc) =>
        StoreJson.Deserialize<T>(doc[JsonField].AsString);
}
