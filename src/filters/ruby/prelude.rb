# frozen_string_literal: false
#
# The Ruby side of sluice's `ruby` filter, loaded once into CRuby (WebAssembly, WASI) at start-up.
#
# It gives user code Logstash's Ruby API: LogStash::Event (get/set/remove/include?/tag/cancel/clone/
# to_hash/to_json/sprintf/timestamp...), LogStash::Timestamp, LogStash::Json, the filter's inline mode
# (`init` + `code` evaluated as logstash-filter-ruby evaluates them) and its file mode (`path`: a script
# with register(params), filter(event) and `test ... do ... end` blocks run at start-up).
#
# Events cross between JavaScript and Ruby once per batch, as JSON text in a tagged form (see wire.ts):
#   in:  [epoch_ms, nano_of_milli, tagged, data, metadata]   data["@timestamp"] is a placeholder;
#        floats are JSON floats, big integers plain digits; tagged == 1 when the data holds strings that
#        start with NUL: "\0f" float (NaN, Infinity), "\0b" big integer, "\0t<ms>.<nanos>" a timestamp,
#        "\0s" a string that starts with NUL.
#   out: [data, metadata] with every float, big integer and timestamp tagged (JavaScript's JSON.parse
#        cannot tell 1.0 from 1), the tag starting with U+D800 instead of NUL: a lone surrogate that no
#        valid UTF-8 string (all Ruby writes) can hold, so no string is ever mistaken for a tag.
# Stored values are kept as Logstash keeps them (Valuefier): String, Symbol, Integer, Float, true, false,
# nil, Hash with String keys, Array and LogStash::Timestamp; `get` deep-copies hashes and arrays and
# shares strings, as Logstash's Rubyfier does.

$stdout.sync = true
$stderr.sync = true

# The bundled gems (base64, csv, ostruct...) are not on the load path when RubyGems is disabled (it is, to
# start in half a second instead of two); the standard library comes first.
$LOAD_PATH.concat(Dir.glob('/usr/local/lib/ruby/gems/*/gems/*/lib').sort - $LOAD_PATH)

require 'json'
require 'time'
require 'js'

# There are no sockets under WASI; ipaddr only needs the address family constants.
unless defined?(::Socket)
  module ::Socket
    AF_UNSPEC = 0
    AF_INET = 2
    AF_INET6 = 10
  end
  $LOADED_FEATURES << 'socket.rb'
end
# io/wait is a C extension the WASI build lacks; resolv (which configs require for reverse lookups) loads
# it. With it marked loaded, `require 'resolv'` works; a lookup raises (no sockets) and the event is
# tagged as any exception of `code` is.
begin
  require 'io/wait'
rescue LoadError
  $LOADED_FEATURES << 'io/wait.so'
end

# What Logstash has loaded anyway, available without a `require` as there.
autoload :SecureRandom, 'securerandom'
autoload :Digest, 'digest'
autoload :Base64, 'base64'
autoload :OpenSSL, 'openssl'
autoload :Zlib, 'zlib'
autoload :URI, 'uri'
autoload :IPAddr, 'ipaddr'
autoload :StringIO, 'stringio'
autoload :OpenStruct, 'ostruct'
autoload :CSV, 'csv'

module Sluice
  MAX_SAFE = 9_007_199_254_740_991
  NUL = "\u0000".freeze
  PRELUDE = 'sluice/filters/ruby/prelude.rb'

  class << self
    # The JavaScript object with the host functions: log, sprintf, toJson, parseTimestamp.
    attr_accessor :host
  end

  # ---- field references (Logstash's strict FieldReference grammar) ---------------------------------

  FIELD_REFS = {}

  def self.field_ref(ref)
    unless ref.is_a?(::String)
      raise ::TypeError, "wrong argument type #{ref.class} (expected String)"
    end
    FIELD_REFS[ref] || begin
      path = parse_field_ref(ref).freeze
      FIELD_REFS[ref.dup.freeze] = path if FIELD_REFS.size < 10_000
      path
    end
  end

  def self.parse_field_ref(ref)
    unless ref.start_with?('[')
      raise ::RuntimeError, "Invalid FieldReference: `#{ref}`" if ref.include?('[') || ref.include?(']')
      return [ref.dup.freeze]
    end
    out = []
    i = 0
    while i < ref.length
      raise ::RuntimeError, "Invalid FieldReference: `#{ref}`" unless ref[i] == '['
      close = ref.index(']', i + 1)
      raise ::RuntimeError, "Invalid FieldReference: `#{ref}`" if close.nil?
      key = ref[(i + 1)...close]
      raise ::RuntimeError, "Invalid FieldReference: `#{ref}`" if key.include?('[')
      out << key.freeze unless key.empty?
      i = close + 1
    end
    raise ::RuntimeError, "Invalid FieldReference: `#{ref}`" if out.empty?
    out
  end

  INDEX = /\A-?\d+\z/

  # The array index a path segment designates, or nil (not an integer, or out of range).
  def self.list_index(seg, size)
    return nil unless INDEX.match?(seg)
    i = seg.to_i
    i += size if i < 0
    i >= 0 && i < size ? i : nil
  end

  # ---- values: Logstash's Valuefier (set) and Rubyfier (get) ------------------------------------------

  def self.valuefy(v)
    case v
    when ::String, ::Integer, ::Float, nil, true, false, ::Symbol, ::LogStash::Timestamp then v
    when ::Hash
      h = {}
      v.each_pair { |k, x| h[k.is_a?(::String) ? k : k.to_s] = valuefy(x) }
      h
    when ::Array then v.map { |x| valuefy(x) }
    when ::Time then ::LogStash::Timestamp.new(v)
    else
      name = v.class.name || 'RubyObject'
      java = CORE_CLASSES.include?(name) ? "Ruby#{name}" : 'RubyObject'
      raise ::LogStash::MissingConverterException,
            "Missing Converter handling for full class name=org.jruby.#{java}, simple name=#{java}"
    end
  end

  CORE_CLASSES = %w[Range Rational Complex Proc Method Struct Regexp Object Class Module Set].freeze

  # Deep copy of hashes and arrays; strings, numbers and timestamps are shared.
  # (A C-level dup, then only nested hashes and arrays are copied: each Ruby-level step is dear here.)
  def self.rubyfy(v)
    case v
    when ::Hash
      h = v.dup
      v.each_pair { |k, x| h[k] = rubyfy(x) if x.is_a?(::Hash) || x.is_a?(::Array) }
      h
    when ::Array
      a = v.dup
      v.each_with_index { |x, i| a[i] = rubyfy(x) if x.is_a?(::Hash) || x.is_a?(::Array) }
      a
    else v
    end
  end

  # Deep copy for Event#clone: strings are copied too.
  def self.deep_clone(v)
    case v
    when ::Hash
      h = {}
      v.each_pair { |k, x| h[k] = deep_clone(x) }
      h
    when ::Array then v.map { |x| deep_clone(x) }
    when ::String then v.dup
    else v
    end
  end

  # ---- the wire form ----------------------------------------------------------------------------------

  def self.revive(v)
    case v
    when ::String
      return v unless v.start_with?(NUL)
      body = v[2..] || ''
      case v[1]
      when 'f'
        case body
        when 'NaN' then ::Float::NAN
        when 'Infinity' then ::Float::INFINITY
        when '-Infinity' then -::Float::INFINITY
        else Float(body)
        end
      when 'b' then Integer(body)
      when 't'
        ms, nanos = body.split('.')
        ::LogStash::Timestamp.__at(ms.to_i, nanos.to_i)
      else body
      end
    when ::Hash
      v.each_pair { |k, x| v[k] = revive(x) }
      v
    when ::Array
      v.map! { |x| revive(x) }
    else v
    end
  end

  # Out of Ruby, JSON.generate works on the stored values directly: while $__sluice_wire is set,
  # Float#to_s, Integer#to_s (beyond 2^53) and Timestamp#to_json write tagged strings, and JSON's
  # generator calls them for every float, every integer it does not print itself and every timestamp.
  # Their tags start with the escape of U+D800 (see the top of this file).
  # No walk over the event in Ruby, where each step costs far more than in C.
  module WireFloat
    def to_s(*args)
      $__sluice_wire && args.empty? ? "\"\\ud800f#{super}\"" : super
    end
  end

  module WireInteger
    def to_s(*args)
      if $__sluice_wire && args.empty? && (self > MAX_SAFE || self < -MAX_SAFE)
        "\"\\ud800b#{super}\""
      else
        super
      end
    end
  end

  ::Float.prepend(WireFloat)
  ::Integer.prepend(WireInteger)
  $__sluice_wire = false

  WIRE = ::JSON::State.new(allow_nan: true, max_nesting: 0)

  def self.generate_wire(obj)
    $__sluice_wire = true
    begin
      WIRE.generate(obj)
    rescue ::JSON::GeneratorError, ::EncodingError
      WIRE.generate(scrub(obj))
    end
  ensure
    $__sluice_wire = false
  end

  # A copy where every string is valid UTF-8 (binary strings, broken bytes) and symbols are strings.
  def self.scrub(v)
    case v
    when ::String
      return v if v.valid_encoding? && (v.encoding == ::Encoding::UTF_8 || v.ascii_only?)
      s = v.dup.force_encoding(::Encoding::UTF_8)
      s.valid_encoding? ? s : s.scrub
    when ::Symbol then scrub(v.to_s)
    when ::Hash
      h = {}
      v.each_pair { |k, x| h[scrub(k.to_s)] = scrub(x) }
      h
    when ::Array then v.map { |x| scrub(x) }
    else v
    end
  end

  # ---- host calls -------------------------------------------------------------------------------------

  def self.parse_timestamp(text)
    r = host.call(:parseTimestamp, text.to_s).to_s
    return nil if r.empty?
    ms, nanos = r.split('.')
    ::LogStash::Timestamp.__at(ms.to_i, nanos.to_i)
  end

  def self.log(id, level, message, data)
    payload = begin
      data.nil? || data.empty? ? '' : ::JSON.generate(log_data(data))
    rescue ::StandardError
      ::JSON.generate({ 'data' => data.inspect })
    end
    host.call(:log, id, level.to_s, message.to_s, payload)
    nil
  end

  def self.log_data(v)
    case v
    when ::Hash then v.each_with_object({}) { |(k, x), h| h[k.to_s] = log_data(x) }
    when ::Array then v.map { |x| log_data(x) }
    when ::String, ::Integer, ::Float, nil, true, false then v
    when ::Symbol then v.to_s
    when ::Class, ::Module then v.name
    else v.respond_to?(:to_hash_with_metadata) ? log_data(v.to_hash_with_metadata) : v.to_s
    end
  end

  # A Logstash-style logger (`@logger` in inline code, `logger` in scripts) writing to sluice's logger.
  class Logger
    def initialize(id)
      @id = id
    end

    %w[trace debug info warn error fatal].each do |level|
      define_method(level) do |message = nil, data = nil, &block|
        message = block.call if message.nil? && block
        data = {} unless data.is_a?(::Hash)
        ::Sluice.log(@id, level, message, data)
      end
      define_method("#{level}?") { true }
    end

    def to_s
      '#<LogStash::Logging::Logger>'
    end
    alias inspect to_s
  end

  # ---- the filters ------------------------------------------------------------------------------------

  FILTERS = {}

  # Every entry point answers JSON text: {"ok": value} or {"error": message, "class": name}.
  def self.answer
    ::JSON.generate({ 'ok' => yield })
  rescue ::Exception => e # rubocop:disable Lint/RescueException -- SyntaxError is a ScriptError
    ::JSON.generate({ 'error' => e.message.to_s.scrub, 'class' => e.class.name, 'backtrace' => (e.backtrace || []).first(10) })
  end

  def self.request(js)
    req = ::JSON.parse(js.to_s)
    answer { dispatch(req) }
  end

  def self.dispatch(req)
    case req['op']
    when 'check_inline' then check_inline(req['init'], req['code'])
    when 'create_inline'
      f = ::LogStash::Filters::Ruby.new(req['id'], req['tag_on_exception'], req['tag_with_exception_message'])
      FILTERS[req['id']] = f
      begin
        f.register_inline(req['init'], req['code'])
      rescue ::Exception
        FILTERS.delete(req['id'])
        raise
      end
      true
    when 'check_script'
      script = ::LogStash::Filters::Ruby::Script.new(req['path'], req['content'], revive(::JSON.parse(req['params'])), Logger.new(req['id']))
      script.load
      script.run_tests
    when 'create_script'
      f = ::LogStash::Filters::Ruby.new(req['id'], req['tag_on_exception'], req['tag_with_exception_message'])
      script = ::LogStash::Filters::Ruby::Script.new(req['path'], req['content'], revive(::JSON.parse(req['params'])), f.logger)
      script.load
      results = req['run_tests'] ? script.run_tests : nil
      if results.nil? || (results['failed'] + results['errored']).zero?
        script.register
        f.script = script
        FILTERS[req['id']] = f
      end
      results
    when 'close' then !FILTERS.delete(req['id']).nil?
    else raise ::ArgumentError, "unknown request #{req['op'].inspect}"
    end
  end

  # Compile `init` and `code` as register evaluates them, without running them. They are compiled at the
  # top level, where register's eval would accept a `yield` that the top level refuses: that one passes.
  def self.check_inline(init, code)
    compile(init, '(ruby filter init)') if init
    compile(::LogStash::Filters::Ruby.wrap_code(code), '(ruby filter code)') if code
    true
  end

  def self.compile(source, file)
    ::RubyVM::InstructionSequence.compile(source, file, file, 1)
  rescue ::SyntaxError => e
    raise unless e.message.lines.grep(/\^/).all? { |l| l.include?('Invalid yield') }
  end

  # One batch: JSON text of wire events in, JSON text of one result per event out:
  # [matched (0|1), cancelled (0|1), event in wire form or nil when untouched, new events or nil].
  def self.batch(id, js)
    f = FILTERS.fetch(id)
    events = ::JSON.parse(js.to_s)
    events.map! { |w| ::LogStash::Event.__from_wire(w) }
    generate_wire(f.__run(events))
  rescue ::Exception => e # rubocop:disable Lint/RescueException
    ::JSON.generate({ 'error' => e.message.to_s.scrub, 'class' => e.class.name, 'backtrace' => (e.backtrace || []).first(10) })
  end

  # Events made with LogStash::Event.new, clone or new_event_block, in wire form.
  def self.wire_events(list)
    return nil if list.nil? || list.empty?
    list.map do |e|
      raise ::TypeError, "wrong argument type #{e.class} (expected LogStash::Event)" unless e.is_a?(::LogStash::Event)
      e.__to_wire
    end
  end
end

module LogStash
  class Error < ::StandardError; end
  class EnvironmentError < Error; end
  class TimestampParserError < ::StandardError; end
  class MissingConverterException < ::RuntimeError; end
  class InvalidTagsTypeException < ::RuntimeError; end

  # LogStash::Json, as plugins and scripts use it.
  module Json
    class ParserError < ::LogStash::Error; end
    class GeneratorError < ::LogStash::Error; end

    def self.load(data, options = {})
      symbolize = options.is_a?(::Hash) && options[:symbolize_keys]
      ::JSON.parse(data.to_s, symbolize_names: symbolize ? true : false)
    rescue ::JSON::ParserError => e
      raise ParserError, e.message
    end

    def self.dump(object, options = {})
      pretty = options.is_a?(::Hash) && options[:pretty]
      pretty ? ::JSON.pretty_generate(object) : ::JSON.generate(object)
    rescue ::JSON::GeneratorError => e
      raise GeneratorError, e.message
    end

    class << self
      alias jruby_load load
      alias jruby_dump dump
    end
  end

  # An instant with nanosecond precision, printed as ISO 8601 in UTC (Logstash's Timestamp).
  class Timestamp
    include ::Comparable

    def self.__at(ms, nanos)
      t = allocate
      t.__set(ms, nanos)
      t
    end

    def self.__from_time(time)
      nsec = time.nsec
      __at(time.to_i * 1000 + nsec / 1_000_000, nsec % 1_000_000)
    end

    def initialize(time = nil)
      case time
      when nil then __set_time(::Time.now)
      when ::Time then __set_time(time)
      when ::String
        t = ::Sluice.parse_timestamp(time)
        raise ::LogStash::TimestampParserError, "invalid timestamp string format #{time}" if t.nil?
        __set(t.__ms, t.__nanos)
      else
        raise ::TypeError, "wrong argument type #{time.class} (expected Time)"
      end
    end

    def __set(ms, nanos)
      @ms = ms
      @nanos = nanos
      self
    end

    def __set_time(time)
      nsec = time.nsec
      __set(time.to_i * 1000 + nsec / 1_000_000, nsec % 1_000_000)
    end

    def __ms = @ms
    def __nanos = @nanos

    def self.now = new

    def self.at(*args)
      __from_time(::Time.at(*args))
    end

    def self.coerce(time)
      case time
      when ::LogStash::Timestamp then time
      when ::Time then new(time)
      when ::String
        t = ::Sluice.parse_timestamp(time)
        raise ::LogStash::TimestampParserError, "invalid timestamp format #{time}" if t.nil?
        t
      end
    end

    def self.parse_iso8601(time)
      raise ::TypeError, "wrong argument type #{time.class} (expected String)" unless time.is_a?(::String)
      coerce(time)
    end

    def to_i = @ms.div(1000)
    def nsec = (@ms % 1000) * 1_000_000 + @nanos
    def usec = nsec / 1000
    alias tv_nsec nsec
    alias tv_usec usec

    def to_f = to_i + nsec / 1_000_000_000.0

    def time = ::Time.at(to_i, nsec, :nsec).utc

    def year = time.year
    def utc = self
    def gmtime = self

    def to_iso8601
      second = time.strftime('%Y-%m-%dT%H:%M:%S')
      milli = format('%03d', @ms % 1000)
      return "#{second}.#{milli}Z" if @nanos.zero?
      sub = format('%06d', @nanos)
      sub = sub[0, 3] if sub.end_with?('000')
      "#{second}.#{milli}#{sub}Z"
    end
    alias to_s to_iso8601
    alias inspect to_iso8601

    def to_json(*)
      $__sluice_wire ? "\"\\ud800t#{@ms}.#{@nanos}\"" : "\"#{to_iso8601}\""
    end

    def <=>(other)
      return nil unless other.is_a?(::LogStash::Timestamp)
      [@ms, @nanos] <=> [other.__ms, other.__nanos]
    end

    def ==(other)
      other.is_a?(::LogStash::Timestamp) && @ms == other.__ms && @nanos == other.__nanos
    end
    alias eql? ==

    def hash = [@ms, @nanos].hash

    def +(other) = time + other
    def -(other) = time - (other.is_a?(::LogStash::Timestamp) ? other.time : other)

    def clone(*) = self.class.__at(@ms, @nanos)
    def dup = clone
  end

  # The event, with Logstash's Ruby API.
  class Event
    METADATA = '@metadata'.freeze
    METADATA_BRACKETS = '[@metadata]'.freeze
    TIMESTAMP = '@timestamp'.freeze
    TIMESTAMP_FAILURE_TAG = '_timestampparsefailure'.freeze
    TIMESTAMP_FAILURE_FIELD = '_@timestamp'.freeze
    VERSION = '@version'.freeze
    VERSION_ONE = '1'.freeze
    TAGS = 'tags'.freeze
    TAGS_FAILURE_TAG = '_tagsparsefailure'.freeze
    TAGS_FAILURE = '_tags'.freeze

    def initialize(data = nil)
      unless data.nil? || data.is_a?(::Hash)
        raise ::TypeError, "wrong argument type #{data.class} (expected Hash)"
      end
      hash = data.nil? ? {} : ::Sluice.valuefy(data)
      meta = hash.delete(METADATA)
      @metadata = meta.is_a?(::Hash) ? meta : {}
      provided = hash[TIMESTAMP]
      parsed = Event.__timestamp_of(provided)
      # @timestamp first, then the given fields, then @version when absent (as sluice's events are built).
      @data = { TIMESTAMP => parsed || ::LogStash::Timestamp.now }
      hash.each_pair { |k, v| @data[k] = v unless k == TIMESTAMP }
      @data[VERSION] = VERSION_ONE unless @data.key?(VERSION)
      @cancelled = false
      @dirty = true
      tags = @data[TAGS]
      unless Event.__legal_tags?(tags)
        @data[TAGS_FAILURE] = [tags]
        @data[TAGS] = [TAGS_FAILURE_TAG]
      end
      return unless parsed.nil?
      tag(TIMESTAMP_FAILURE_TAG)
      @data[TIMESTAMP_FAILURE_FIELD] = provided
    end

    def self.__timestamp_of(v)
      case v
      when nil then ::LogStash::Timestamp.now
      when ::LogStash::Timestamp then v
      when ::String, ::Symbol then ::Sluice.parse_timestamp(v.to_s)
      when ::Time then ::LogStash::Timestamp.new(v)
      end
    end

    def self.__legal_tags?(v)
      v.nil? || v.is_a?(::String) || (v.is_a?(::Array) && v.all? { |t| t.is_a?(::String) })
    end

    # An event from its wire form (see the top of this file).
    def self.__from_wire(w)
      data = w[3]
      meta = w[4]
      if w[2] == 1
        ::Sluice.revive(data)
        ::Sluice.revive(meta)
      end
      data[TIMESTAMP] = ::LogStash::Timestamp.__at(w[0], w[1]) unless w[0].nil?
      allocate.__init(data, meta, false)
    end

    def __init(data, meta, dirty)
      @data = data
      @metadata = meta
      @cancelled = false
      @dirty = dirty
      self
    end

    def __data = @data
    def __metadata = @metadata
    def __dirty? = @dirty

    def __to_wire = [@data, @metadata]

    def __wire_if_dirty = @dirty ? [@data, @metadata] : nil

    # -- fields --

    # The top-level fields that get, set and remove handle without walking a path.
    PLAIN = ::Hash.new do |cache, ref|
      plain = ref.is_a?(::String) && !ref.start_with?('[') && !ref.include?(']') &&
              ref != TIMESTAMP && ref != METADATA && ref != TAGS
      cache[ref.dup.freeze] = plain if ref.is_a?(::String) && cache.size < 10_000
      plain
    end

    def get(reference)
      v = PLAIN[reference] ? @data[reference] : __fetch(::Sluice.field_ref(reference))
      case v
      when ::String, ::Hash, ::Array
        @dirty = true # shared strings may be changed in place, as in Logstash
        ::Sluice.rubyfy(v)
      else v
      end
    end

    def include?(reference)
      path = ::Sluice.field_ref(reference)
      root = @data
      start = 0
      if path[0] == METADATA
        return true if path.size == 1
        root = @metadata
        start = 1
      end
      target = __parent(root, path, start)
      key = path[-1]
      case target
      when ::Hash then target.key?(key)
      when ::Array then !::Sluice.list_index(key, target.size).nil?
      else false
      end
    end

    def set(reference, value)
      @dirty = true
      if PLAIN[reference]
        @data[reference] = ::Sluice.valuefy(value)
        return value
      end
      path = ::Sluice.field_ref(reference)
      if path.size == 1 && path[0] == TIMESTAMP
        unless value.is_a?(::LogStash::Timestamp)
          raise ::TypeError, "wrong argument type #{value.class} (expected LogStash::Timestamp)"
        end
        @data[TIMESTAMP] = value
        return value
      end
      converted = ::Sluice.valuefy(value)
      if path[0] == TAGS && (path.size > 1 ? @data[TAGS].is_a?(::Hash) : !Event.__legal_tags?(converted))
        raise ::LogStash::InvalidTagsTypeException,
              "Could not set the reserved tags field '#{reference}' to value '#{value}'. " \
              'The tags field only accepts string or array of string.'
      end
      if path[0] == METADATA
        if path.size == 1
          raise ::TypeError, "wrong argument type #{value.class} (expected Hash)" unless converted.is_a?(::Hash)
          @metadata = converted
        else
          __store(@metadata, path, 1, converted, value)
        end
      else
        __store(@data, path, 0, converted, value)
      end
      value
    end

    def remove(reference)
      @dirty = true
      return @data.delete(reference) if PLAIN[reference]
      path = ::Sluice.field_ref(reference)
      root = @data
      start = 0
      if path[0] == METADATA
        if path.size == 1
          old = @metadata
          @metadata = {}
          return old
        end
        root = @metadata
        start = 1
      end
      target = __parent(root, path, start)
      key = path[-1]
      case target
      when ::Hash then target.delete(key)
      when ::Array
        i = ::Sluice.list_index(key, target.size)
        i.nil? ? nil : target.delete_at(i)
      end
    end

    def __fetch(path)
      first = path[0]
      if first == METADATA
        return @metadata if path.size == 1
        cur = @metadata
        i = 1
      else
        return @data[first] if path.size == 1
        cur = @data
        i = 0
      end
      n = path.size
      while i < n
        seg = path[i]
        cur = case cur
              when ::Hash then cur[seg]
              when ::Array
                idx = ::Sluice.list_index(seg, cur.size)
                idx.nil? ? nil : cur[idx]
              end
        return nil if cur.nil?
        i += 1
      end
      cur
    end

    # The hash or array holding the last segment of the path, or nil when the path crosses anything else.
    def __parent(root, path, start)
      cur = root
      i = start
      last = path.size - 1
      while i < last
        seg = path[i]
        cur = case cur
              when ::Hash then cur[seg]
              when ::Array
                idx = ::Sluice.list_index(seg, cur.size)
                idx.nil? ? nil : cur[idx]
              end
        return nil unless cur.is_a?(::Hash) || cur.is_a?(::Array)
        i += 1
      end
      cur
    end

    # Logstash's Accessors.set: missing intermediate fields become hashes; a list takes integer indexes
    # (padding with nils past its end); anything else in the way is an error.
    def __store(root, path, start, converted, original)
      cur = root
      i = start
      last = path.size - 1
      while i < last
        seg = path[i]
        nxt = __child(cur, seg, converted, original)
        if nxt.nil?
          nxt = {}
          __put(cur, seg, nxt, converted, original)
        end
        cur = nxt
        i += 1
      end
      __put(cur, path[last], converted, converted, original)
    end

    def __child(target, key, converted, original)
      case target
      when ::Hash then target[key]
      when ::Array
        idx = ::Sluice.list_index(key, target.size)
        idx.nil? ? nil : target[idx]
      else __invalid_set(target, key, original)
      end
    end

    def __put(target, key, value, _converted, original)
      case target
      when ::Hash then target[key] = value
      when ::Array
        return unless ::Sluice::INDEX.match?(key)
        i = key.to_i
        if i >= target.size
          target.fill(nil, target.size...i)
          target[i] = value
        else
          target[i < 0 ? target.size + i : i] = value
        end
      else __invalid_set(target, key, original)
      end
    end

    def __invalid_set(target, key, value)
      raise ::RuntimeError,
            "Could not set field '#{key}' on object '#{target}' to value '#{value}'." \
            'This is probably due to trying to set a field like [foo][bar] = someValue' \
            'when [foo] is not either a map or a string'
    end

    # -- tags, state --

    def tag(value)
      raise ::TypeError, "wrong argument type #{value.class} (expected String)" unless value.is_a?(::String)
      @dirty = true
      tags = @data[TAGS]
      if tags.nil?
        @data[TAGS] = [value]
      elsif tags.is_a?(::Array)
        tags << value unless tags.include?(value)
      elsif tags != value
        @data[TAGS] = [tags, value]
      end
      nil
    end

    def cancel
      @cancelled = true
      true
    end

    def uncancel
      @cancelled = false
      false
    end

    def cancelled? = @cancelled

    def timestamp = @data[TIMESTAMP]

    def timestamp=(value)
      unless value.is_a?(::LogStash::Timestamp)
        raise ::TypeError, "wrong argument type #{value.class} (expected LogStash::Timestamp)"
      end
      @dirty = true
      @data[TIMESTAMP] = value
    end

    # -- copies and views --

    def clone
      Event.allocate.__init(::Sluice.deep_clone(@data), ::Sluice.deep_clone(@metadata), true)
    end
    alias dup clone

    def to_hash
      @dirty = true
      ::Sluice.rubyfy(@data)
    end

    def to_hash_with_metadata
      @dirty = true
      h = ::Sluice.rubyfy(@data)
      h[METADATA] = ::Sluice.rubyfy(@metadata) unless @metadata.empty?
      h
    end

    # The event as Logstash serializes it (without @metadata; floats as Java prints them).
    def to_json(*)
      r = ::Sluice.host.call(:toJson, ::Sluice.generate_wire(__to_wire)).to_s
      raise ::LogStash::Json::GeneratorError, r[1..] if r.start_with?("\u0000")
      r
    end

    def sprintf(format)
      r = ::Sluice.host.call(:sprintf, format.to_s, ::Sluice.generate_wire(__to_wire)).to_s
      raise ::LogStash::Error, r[1..] if r.start_with?("\u0000")
      r
    end

    def to_s
      host = @data['host']
      message = @data['message']
      text = "#{host.nil? ? '%{host}' : Event.__java_s(host)} #{message.nil? ? '%{message}' : Event.__java_s(message)}"
      ts = @data[TIMESTAMP]
      ts.is_a?(::LogStash::Timestamp) ? "#{ts} #{text}" : text
    end

    def self.__java_s(v)
      case v
      when ::Hash then "{#{v.map { |k, x| "#{k}=#{__java_s(x)}" }.join(', ')}}"
      when ::Array then "[#{v.map { |x| __java_s(x) }.join(', ')}]"
      when ::Float then v.to_s.sub('e+', 'E').sub('e-', 'E-')
      else v.to_s
      end
    end

    def overwrite(other)
      raise ::TypeError, "wrong argument type #{other.class} (expected LogStash::Event)" unless other.is_a?(Event)
      @dirty = true
      @data = other.__data
      @cancelled = other.cancelled?
      @data[TIMESTAMP] = ::LogStash::Timestamp.now unless @data[TIMESTAMP].is_a?(::LogStash::Timestamp)
      self
    end

    def append(other)
      raise ::TypeError, "wrong argument type #{other.class} (expected LogStash::Event)" unless other.is_a?(Event)
      @dirty = true
      Event.__merge(@data, other.__data)
      self
    end

    # Logstash's Util.mapMerge.
    def self.__merge(target, add)
      add.each_pair do |key, value|
        current = target[key]
        if current.nil?
          target[key] = value
        elsif current.is_a?(::Hash) && value.is_a?(::Hash)
          __merge(current, value)
        elsif value.is_a?(::Array)
          if current.is_a?(::Array)
            value.each { |x| current << x unless current.include?(x) }
          else
            target[key] = [current] + value.reject { |x| x == current }
          end
        elsif current.is_a?(::Array)
          current << value unless current.include?(value)
        elsif current != value
          target[key] = [current, value]
        end
      end
    end

    def self.from_json(text)
      parsed = ::JSON.parse(text.to_s)
      list = parsed.is_a?(::Array) ? parsed : [parsed]
      list.map do |h|
        raise ::LogStash::Json::ParserError, "Could not parse event from #{h.inspect}" unless h.is_a?(::Hash)
        block_given? ? yield(h) : Event.new(h)
      end
    rescue ::JSON::ParserError => e
      raise ::LogStash::Json::ParserError, e.message
    end

    def self.validate_value(value) = value
  end

  module Filters
    # The filter object inline code runs in: `self` in `init` and `code`, with `@logger`.
    class Ruby
      class ScriptError < ::StandardError; end

      attr_reader :logger
      attr_writer :script

      def initialize(id, tag_on_exception, tag_with_exception_message)
        @id = id
        @logger = ::Sluice::Logger.new(id)
        @tag_on_exception = tag_on_exception
        @tag_with_exception_message = tag_with_exception_message
        @script = nil
      end

      def self.wrap_code(code)
        "define_singleton_method :filter_method do |event, &new_event_block|\n #{code} \nend"
      end

      def register_inline(init, code)
        eval(init, binding, '(ruby filter init)') if init # rubocop:disable Security/Eval
        eval(Ruby.wrap_code(code), binding, '(ruby filter code)') # rubocop:disable Security/Eval
      end

      def self.check_result_events!(results)
        unless results.is_a?(::Array)
          raise "Custom script did not return an array from 'filter'. Only arrays may be returned!"
        end
        results.each do |r_event|
          next if r_event.is_a?(::LogStash::Event)
          raise "Custom script returned a non event object '#{r_event.inspect}'!" \
                ' You must an array of events from this function! To drop an event simply return nil.'
        end
      end

      def __run(events)
        @script.nil? ? __run_inline(events) : __run_script(events)
      end

      def __run_inline(events)
        emitted = nil
        sink = proc { |e| (emitted ||= []) << e }
        events.map do |event|
          emitted = nil
          matched = 1
          begin
            filter_method(event, &sink)
          rescue ::Exception => e # rubocop:disable Lint/RescueException -- as the plugin does
            matched = 0
            __log_exception("Ruby exception occurred: #{e.message}", { 'class' => e.class.name, 'backtrace' => e.backtrace })
            __tag_exception(event, e)
          end
          [matched, event.cancelled? ? 1 : 0, event.__wire_if_dirty, ::Sluice.wire_events(emitted)]
        end
      end

      def __run_script(events)
        events.map do |event|
          emitted = nil
          matched = 0
          begin
            results = @script.execute(event)
            matched = 1
            Ruby.check_result_events!(results)
            returned_original = false
            results.each do |r_event|
              if r_event.equal?(event)
                returned_original = true
              else
                (emitted ||= []) << r_event
              end
            end
            event.cancel unless returned_original
          rescue ::Exception => e # rubocop:disable Lint/RescueException
            emitted = nil
            __log_exception("Could not process event: #{e.message}", { 'script_path' => @script.script_path, 'class' => e.class.name, 'backtrace' => e.backtrace })
            __tag_exception(event, e)
          end
          [matched, event.cancelled? ? 1 : 0, event.__wire_if_dirty, ::Sluice.wire_events(emitted)]
        end
      end

      def __tag_exception(event, error)
        event.tag("#{@tag_on_exception}: #{error}") if @tag_with_exception_message
        event.tag(@tag_on_exception)
      end

      def __log_exception(message, data)
        data['backtrace'] = data['backtrace']&.reject { |l| l.start_with?(::Sluice::PRELUDE) }
        ::Sluice.host.call(:exception, @id, message.to_s, ::JSON.generate(::Sluice.log_data(data)))
      rescue ::StandardError
        nil
      end

      # A `path` script: loaded into an execution context of its own, its tests run in fresh ones.
      class Script
        attr_reader :script_path, :content

        def initialize(path, content, params, logger)
          @script_path = path
          @content = content
          @parameters = params
          @logger = logger
          @test_contexts = []
        end

        def logger = @logger

        def make_execution_context(name, test_mode)
          ec = ExecutionContext.new(name, @logger)
          this = self
          if test_mode
            ec.define_singleton_method(:test) { |*_args, &_block| nil }
          else
            ec.define_singleton_method(:test) { |test_name, &block| this.__define_test(test_name, &block) }
          end
          ec
        end

        def load_execution_context(ec)
          ec.instance_eval(@content, @script_path, 1)
        end

        def load
          @execution_context = make_execution_context(:main, false)
          begin
            load_execution_context(@execution_context)
            unless @execution_context.methods.include?(:filter)
              raise 'Script does not define a filter! Please ensure that you have defined a filter method!'
            end
          rescue ::StandardError => e
            raise ScriptError, "Error during load of '#{@script_path}': #{e.inspect}"
          end
        end

        def register
          @execution_context.register(@parameters)
        rescue ::StandardError => e
          raise ScriptError, "Error during register of '#{@script_path}': #{e.inspect}"
        end

        def execute(event)
          @execution_context.filter(event)
        end

        def __define_test(name, &block)
          tc = TestContext.new(self, name)
          tc.instance_eval(&block)
          @test_contexts << tc
        end

        # Runs the script's tests: {"passed", "failed", "errored", "failures" => [names]}. An error outside
        # an expect block (no in_event, filter not returning events) raises, as in Logstash.
        def run_tests
          totals = { 'passed' => 0, 'failed' => 0, 'errored' => 0, 'failures' => [] }
          @test_contexts.each do |tc|
            r = tc.execute
            totals['passed'] += r['passed']
            totals['failed'] += r['failed']
            totals['errored'] += r['errored']
            totals['failures'].concat(r['failures'])
          end
          @logger.info('Test run complete', { script_path: @script_path, results: { passed: totals['passed'], failed: totals['failed'], errored: totals['errored'] } })
          totals
        end
      end

      # A blank object the script is evaluated in, so its methods and instance variables are its own.
      class ExecutionContext
        def initialize(name, logger)
          @__name__ = name
          @__logger__ = logger
        end

        def logger = @__logger__

        def register(_params)
          logger.debug("skipping register since the script didn't define it")
        end

        def to_s = "<ExecutionContext #{@__name__}>"
      end

      # A `test "name" do ... end` block.
      class TestContext
        attr_reader :name, :script

        def initialize(script, name)
          @name = name
          @script = script
          @expects = []
          @parameters = {}
          @in_events = nil
          @execution_context = script.make_execution_context("Test/#{name}", true)
          script.load_execution_context(@execution_context)
        end

        def parameters(&block)
          return @parameters unless block
          @parameters = block.call
          raise ::ArgumentError, "Test parameters must be a hash in #{@name}!" unless @parameters.is_a?(::Hash)
          @execution_context.register(@parameters)
        end

        def in_event(&block)
          return @in_events unless block
          orig = block.call
          hashes = orig.is_a?(::Hash) ? [orig] : orig
          Array(hashes).each do |e|
            next if e.is_a?(::Hash)
            raise ::ArgumentError,
                  "In event for #{@name} must receive either a hash or an array of hashes! got a '#{e.class}' in #{hashes.inspect}"
          end
          @in_events = Array(hashes).map { |h| ::LogStash::Event.new(h) }
        end
        alias in_events in_event

        def expect(name, &block)
          @expects << [name, block]
        end

        def execute
          raise 'You must declare an `in_event` to run tests!' unless @in_events
          results = []
          @in_events.each do |e|
            single = @execution_context.filter(e)
            ::LogStash::Filters::Ruby.check_result_events!(single)
            results += single
          end
          out = { 'passed' => 0, 'failed' => 0, 'errored' => 0, 'failures' => [] }
          @expects.each do |expect_name, block|
            begin
              if block.call(results)
                out['passed'] += 1
                next
              end
              out['failed'] += 1
              message = "***TEST FAILURE FOR: '#{@name} #{expect_name}'***"
              data = {}
              out['failures'] << "#{@name} #{expect_name}"
            rescue ::StandardError => e
              out['errored'] += 1
              message = "***TEST RAISED ERROR: '#{@name} #{expect_name}'***"
              data = { 'exception' => e.inspect, 'backtrace' => e.backtrace }
              out['failures'] << "#{@name} #{expect_name} (#{e.inspect})"
            end
            data[:parameters] = @parameters
            data[:in_events] = @in_events.map(&:to_hash_with_metadata)
            data[:results] = results.map(&:to_hash_with_metadata)
            @script.logger.error(message, data)
          end
          out
        end
      end
    end
  end
end
