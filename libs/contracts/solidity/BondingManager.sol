// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Manager} from "./Manager.sol";

/// Staking, delegation, the sorted active transcoder pool and LIP-36 cumulative earnings accounting.
/// Percentages: PERC (1e6) for rewardCut/feeShare, PRECISE (1e27) for cumulative factors.
contract BondingManager is Manager {
    uint256 private constant PERC = 1_000_000;
    uint256 private constant PRECISE = 1e27;
    uint256 private constant MAX_FUTURE_ROUND = type(uint256).max;

    struct EarningsPool {
        uint256 totalStake;
        uint256 transcoderRewardCut;
        uint256 transcoderFeeShare;
        uint256 cumulativeRewardFactor;
        uint256 cumulativeFeeFactor;
    }

    struct Transcoder {
        uint256 lastRewardRound;
        uint256 rewardCut;
        uint256 feeShare;
        uint256 lastActiveStakeUpdateRound;
        uint256 activationRound;
        uint256 deactivationRound;
        uint256 activeCumulativeRewards;
        uint256 cumulativeRewards;
        uint256 cumulativeFees;
        uint256 lastFeeRound;
        mapping(uint256 => EarningsPool) pools;
    }

    struct UnbondingLock {
        uint256 amount;
        uint256 withdrawRound;
    }

    struct Delegator {
        uint256 bondedAmount;
        uint256 fees;
        address delegateAddress;
        uint256 delegatedAmount;
        uint256 startRound;
        uint256 lastClaimRound;
        uint256 nextUnbondingLockId;
        mapping(uint256 => UnbondingLock) locks;
    }

    struct Node {
        uint256 key;
        address next;
        address prev;
    }

    uint64 public unbondingPeriod;
    uint256 public currentRoundTotalActiveStake;
    uint256 public nextRoundTotalActiveStake;

    mapping(address => Delegator) private delegators;
    mapping(address => Transcoder) private transcoders;

    // sorted doubly linked list (descending by stake)
    address private poolHead;
    address private poolTail;
    uint256 private poolSize;
    uint256 private poolMaxSize;
    mapping(address => Node) private poolNodes;

    event TranscoderUpdate(address indexed transcoder, uint256 rewardCut, uint256 feeShare);
    event TranscoderActivated(address indexed transcoder, uint256 activationRound);
    event TranscoderDeactivated(address indexed transcoder, uint256 deactivationRound);
    event Reward(address indexed transcoder, uint256 amount);
    event Bond(
        address indexed newDelegate,
        address indexed oldDelegate,
        address indexed delegator,
        uint256 additionalAmount,
        uint256 bondedAmount
    );
    event Unbond(
        address indexed delegate,
        address indexed delegator,
        uint256 unbondingLockId,
        uint256 amount,
        uint256 withdrawRound
    );
    event Rebond(address indexed delegate, address indexed delegator, uint256 unbondingLockId, uint256 amount);
    event WithdrawStake(address indexed delegator, uint256 unbondingLockId, uint256 amount, uint256 withdrawRound);
    event WithdrawFees(address indexed delegator, address recipient, uint256 amount);
    event EarningsClaimed(
        address indexed delegate,
        address indexed delegator,
        uint256 rewards,
        uint256 fees,
        uint256 startRound,
        uint256 endRound
    );

    constructor(address _controller) Manager(_controller) {}

    modifier currentRoundInitialized() {
        require(_roundsManager().currentRoundInitialized(), "current round is not initialized");
        _;
    }

    modifier autoClaimEarnings(address _delegator) {
        _autoClaim(_delegator);
        _;
    }

    // ---- parameters ----

    function setUnbondingPeriod(uint64 _unbondingPeriod) external onlyControllerOwner {
        unbondingPeriod = _unbondingPeriod;
        emit ParameterUpdate("unbondingPeriod");
    }

    function setNumActiveTranscoders(uint256 _numActiveTranscoders) external onlyControllerOwner {
        require(_numActiveTranscoders > poolMaxSize, "new max size must be greater than old max size");
        poolMaxSize = _numActiveTranscoders;
        emit ParameterUpdate("numActiveTranscoders");
    }

    // ---- transcoder ----

    function transcoder(uint256 _rewardCut, uint256 _feeShare) external {
        transcoderWithHint(_rewardCut, _feeShare, address(0), address(0));
    }

    function transcoderWithHint(uint256 _rewardCut, uint256 _feeShare, address, address)
        public
        whenSystemNotPaused
        currentRoundInitialized
    {
        require(!_roundsManager().currentRoundLocked(), "can't update transcoder params, current round is locked");
        require(_rewardCut <= PERC, "invalid rewardCut percentage");
        require(_feeShare <= PERC, "invalid feeShare percentage");
        require(isRegisteredTranscoder(msg.sender), "transcoder must be registered");
        Transcoder storage t = transcoders[msg.sender];
        uint256 round = _round();
        require(
            !isActiveTranscoder(msg.sender) || t.lastRewardRound == round,
            "caller can't be active or must have already called reward for the current round"
        );
        t.rewardCut = _rewardCut;
        t.feeShare = _feeShare;
        if (!_poolContains(msg.sender)) {
            _tryToJoin(msg.sender, delegators[msg.sender].delegatedAmount, round + 1);
        }
        emit TranscoderUpdate(msg.sender, _rewardCut, _feeShare);
    }

    // ---- bonding ----

    function bond(uint256 _amount, address _to) external {
        bondWithHint(_amount, _to, address(0), address(0), address(0), address(0));
    }

    function bondWithHint(uint256 _amount, address _to, address, address, address, address)
        public
        whenSystemNotPaused
        currentRoundInitialized
        autoClaimEarnings(msg.sender)
    {
        _bond(_amount, _to);
    }

    function _bond(uint256 _amount, address _to) private {
        Delegator storage del = delegators[msg.sender];
        uint256 round = _round();
        uint256 delegationAmount = _amount;
        address currentDelegate = del.delegateAddress;
        uint256 currentBonded = del.bondedAmount;

        if (currentBonded == 0) {
            del.startRound = round + 1;
        } else if (currentDelegate != _to) {
            require(!isRegisteredTranscoder(msg.sender), "registered transcoders can't delegate towards other addresses");
            del.startRound = round + 1;
            delegationAmount += currentBonded;
            _decreaseTotalStake(currentDelegate, currentBonded);
        }

        Transcoder storage newDelegate = transcoders[_to];
        EarningsPool storage currPool = newDelegate.pools[round];
        if (currPool.cumulativeRewardFactor == 0) {
            currPool.cumulativeRewardFactor = newDelegate.pools[newDelegate.lastRewardRound].cumulativeRewardFactor;
        }
        if (currPool.cumulativeFeeFactor == 0) {
            currPool.cumulativeFeeFactor = newDelegate.pools[newDelegate.lastFeeRound].cumulativeFeeFactor;
        }

        require(delegationAmount > 0, "delegation amount must be greater than 0");
        del.delegateAddress = _to;
        del.bondedAmount = currentBonded + _amount;
        _increaseTotalStake(_to, delegationAmount);

        if (_amount > 0) _pullTokens(_amount);
        emit Bond(_to, currentDelegate, msg.sender, _amount, del.bondedAmount);
    }

    function _pullTokens(uint256 _amount) private {
        require(_token().transferFrom(msg.sender, address(_minter()), _amount), "token transfer failed");
    }

    function unbond(uint256 _amount) external {
        unbondWithHint(_amount, address(0), address(0));
    }

    function unbondWithHint(uint256 _amount, address, address)
        public
        whenSystemNotPaused
        currentRoundInitialized
        autoClaimEarnings(msg.sender)
    {
        require(delegatorStatus(msg.sender) == 1, "caller must be bonded");
        Delegator storage del = delegators[msg.sender];
        require(_amount > 0, "unbond amount must be greater than 0");
        require(_amount <= del.bondedAmount, "amount is greater than bonded amount");

        address currentDelegate = del.delegateAddress;
        uint256 withdrawRound = _round() + unbondingPeriod;
        uint256 lockId = del.nextUnbondingLockId++;
        del.locks[lockId] = UnbondingLock(_amount, withdrawRound);
        del.bondedAmount -= _amount;

        if (del.bondedAmount == 0) {
            del.delegateAddress = address(0);
            del.startRound = 0;
            if (_poolContains(msg.sender)) _resign(msg.sender);
        }
        _decreaseTotalStake(currentDelegate, _amount);
        emit Unbond(currentDelegate, msg.sender, lockId, _amount, withdrawRound);
    }

    function rebond(uint256 _unbondingLockId) external {
        rebondWithHint(_unbondingLockId, address(0), address(0));
    }

    function rebondWithHint(uint256 _unbondingLockId, address, address)
        public
        whenSystemNotPaused
        currentRoundInitialized
        autoClaimEarnings(msg.sender)
    {
        require(delegatorStatus(msg.sender) != 2, "caller must be bonded");
        _processRebond(msg.sender, _unbondingLockId);
    }

    function rebondFromUnbonded(address _to, uint256 _unbondingLockId) external {
        rebondFromUnbondedWithHint(_to, _unbondingLockId, address(0), address(0));
    }

    function rebondFromUnbondedWithHint(address _to, uint256 _unbondingLockId, address, address)
        public
        whenSystemNotPaused
        currentRoundInitialized
        autoClaimEarnings(msg.sender)
    {
        require(delegatorStatus(msg.sender) == 2, "caller must be unbonded");
        delegators[msg.sender].startRound = _round() + 1;
        delegators[msg.sender].delegateAddress = _to;
        _processRebond(msg.sender, _unbondingLockId);
    }

    function _processRebond(address _delegator, uint256 _lockId) private {
        Delegator storage del = delegators[_delegator];
        require(del.locks[_lockId].withdrawRound > 0, "invalid unbonding lock ID");
        uint256 amount = del.locks[_lockId].amount;
        del.bondedAmount += amount;
        delete del.locks[_lockId];
        _increaseTotalStake(del.delegateAddress, amount);
        emit Rebond(del.delegateAddress, _delegator, _lockId, amount);
    }

    function withdrawStake(uint256 _unbondingLockId) external whenSystemNotPaused currentRoundInitialized {
        UnbondingLock storage lock = delegators[msg.sender].locks[_unbondingLockId];
        require(lock.withdrawRound > 0, "invalid unbonding lock ID");
        require(lock.withdrawRound <= _round(), "withdraw round must be before or equal to the current round");
        uint256 amount = lock.amount;
        uint256 withdrawRound = lock.withdrawRound;
        delete delegators[msg.sender].locks[_unbondingLockId];
        _minter().trustedTransferTokens(msg.sender, amount);
        emit WithdrawStake(msg.sender, _unbondingLockId, amount, withdrawRound);
    }

    function withdrawFees(address payable _recipient, uint256 _amount)
        external
        whenSystemNotPaused
        currentRoundInitialized
        autoClaimEarnings(msg.sender)
    {
        require(_recipient != address(0), "invalid recipient");
        uint256 fees = delegators[msg.sender].fees;
        require(fees >= _amount, "insufficient fees to withdraw");
        delegators[msg.sender].fees = fees - _amount;
        _minter().trustedWithdrawETH(_recipient, _amount);
        emit WithdrawFees(msg.sender, _recipient, _amount);
    }

    function claimEarnings(uint256) external whenSystemNotPaused currentRoundInitialized {
        _autoClaim(msg.sender);
    }

    // ---- reward and fees ----

    function reward() external {
        rewardWithHint(address(0), address(0));
    }

    function rewardWithHint(address, address) public whenSystemNotPaused currentRoundInitialized {
        uint256 round = _round();
        require(isActiveTranscoder(msg.sender), "caller must be an active transcoder");
        Transcoder storage t = transcoders[msg.sender];
        require(t.lastRewardRound != round, "caller has already called reward for the current round");

        EarningsPool storage pool = t.pools[round];
        pool.transcoderRewardCut = t.rewardCut;
        pool.transcoderFeeShare = t.feeShare;
        uint256 lastUpdateRound = t.lastActiveStakeUpdateRound;
        if (lastUpdateRound < round) {
            pool.totalStake = t.pools[lastUpdateRound].totalStake;
        }

        uint256 rewardTokens = _minter().createReward(pool.totalStake, currentRoundTotalActiveStake);
        _updateWithRewards(msg.sender, rewardTokens, round);
        t.lastRewardRound = round;
        emit Reward(msg.sender, rewardTokens);
    }

    function _updateWithRewards(address _transcoder, uint256 _rewards, uint256 _round) private {
        Transcoder storage t = transcoders[_transcoder];
        EarningsPool storage pool = t.pools[_round];
        uint256 prevCRF = t.pools[t.lastRewardRound].cumulativeRewardFactor;
        if (prevCRF == 0) prevCRF = PRECISE;

        t.activeCumulativeRewards = t.cumulativeRewards;
        uint256 commission = (_rewards * pool.transcoderRewardCut) / PERC;
        uint256 delegatorsRewards = _rewards - commission;
        uint256 stake = pool.totalStake;
        t.cumulativeRewards += _precisePercOf(delegatorsRewards, t.activeCumulativeRewards, stake) + commission;
        pool.cumulativeRewardFactor = prevCRF + _precisePercOf(prevCRF, delegatorsRewards, stake);

        _increaseTotalStake(_transcoder, _rewards);
    }

    function updateTranscoderWithFees(address _transcoder, uint256 _fees, uint256) external whenSystemNotPaused {
        require(msg.sender == _lookup("TicketBroker"), "caller must be TicketBroker");
        require(isRegisteredTranscoder(_transcoder), "transcoder must be registered");
        uint256 round = _round();
        Transcoder storage t = transcoders[_transcoder];
        uint256 lastRewardRound = t.lastRewardRound;
        uint256 activeCumulativeRewards = t.activeCumulativeRewards;
        EarningsPool storage pool = t.pools[round];
        (uint256 prevCRF, uint256 prevCFF) = _latestFactors(t, round - 1);

        if (round > lastRewardRound) {
            pool.transcoderRewardCut = t.rewardCut;
            pool.transcoderFeeShare = t.feeShare;
            uint256 lastUpdateRound = t.lastActiveStakeUpdateRound;
            if (lastUpdateRound < round) {
                pool.totalStake = t.pools[lastUpdateRound].totalStake;
            }
            activeCumulativeRewards = t.cumulativeRewards;
        }

        uint256 totalStake = pool.totalStake;
        if (totalStake == 0) {
            // not in the pool (no active stake recorded): everything is the transcoder's own commission
            t.cumulativeFees += _fees;
            t.lastFeeRound = round;
            return;
        }

        if (prevCRF == 0 && lastRewardRound == round) {
            // rewarded this round but not the previous one: rebuild the previous factor from this round's reward
            uint256 rewards = _precisePercOf(
                _minter().currentMintableTokens() + _minter().currentMintedTokens(),
                totalStake,
                currentRoundTotalActiveStake
            );
            uint256 delegatorsRewards = rewards - (rewards * pool.transcoderRewardCut) / PERC;
            prevCRF = _precisePercOf(pool.cumulativeRewardFactor, totalStake, delegatorsRewards + totalStake);
        }

        uint256 delegatorsFees = (_fees * pool.transcoderFeeShare) / PERC;
        uint256 commission = _fees - delegatorsFees;
        t.cumulativeFees += _precisePercOf(delegatorsFees, activeCumulativeRewards, totalStake) + commission;

        if (prevCRF == 0) prevCRF = PRECISE;
        if (pool.cumulativeFeeFactor == 0) pool.cumulativeFeeFactor = prevCFF;
        pool.cumulativeFeeFactor += _precisePercOf(prevCRF, delegatorsFees, totalStake);
        t.lastFeeRound = round;
    }

    function setCurrentRoundTotalActiveStake() external {
        require(msg.sender == _lookup("RoundsManager"), "caller must be RoundsManager");
        currentRoundTotalActiveStake = nextRoundTotalActiveStake;
    }

    // ---- earnings claims ----

    function _autoClaim(address _delegator) private {
        uint256 round = _round();
        uint256 lastClaimRound = delegators[_delegator].lastClaimRound;
        if (lastClaimRound < round) _claim(_delegator, round, lastClaimRound);
    }

    function _claim(address _delegator, uint256 _endRound, uint256 _lastClaimRound) private {
        Delegator storage del = delegators[_delegator];
        uint256 stake = del.bondedAmount;
        uint256 fees = del.fees;
        address delegate = del.delegateAddress;
        if (delegate != address(0)) {
            (stake, fees) = _pendingStakeAndFees(_delegator, _endRound);
            Transcoder storage t = transcoders[delegate];
            EarningsPool storage endPool = t.pools[_endRound];
            if (endPool.cumulativeRewardFactor == 0 && t.lastRewardRound < _endRound) {
                endPool.cumulativeRewardFactor = t.pools[t.lastRewardRound].cumulativeRewardFactor;
            }
            if (endPool.cumulativeFeeFactor == 0 && t.lastFeeRound < _endRound) {
                endPool.cumulativeFeeFactor = t.pools[t.lastFeeRound].cumulativeFeeFactor;
            }
            if (delegate == _delegator) {
                t.cumulativeFees = 0;
                t.cumulativeRewards = 0;
            }
        }
        emit EarningsClaimed(delegate, _delegator, stake - del.bondedAmount, fees - del.fees, _lastClaimRound + 1, _endRound);
        del.lastClaimRound = _endRound;
        del.bondedAmount = stake;
        del.fees = fees;
    }

    function _pendingStakeAndFees(address _delegator, uint256 _endRound) private view returns (uint256 stake, uint256 fees) {
        Delegator storage del = delegators[_delegator];
        Transcoder storage t = transcoders[del.delegateAddress];
        stake = del.bondedAmount;
        fees = del.fees;
        uint256 startRound = del.lastClaimRound + 1;
        if (startRound <= _endRound) {
            EarningsPool storage startPool = t.pools[startRound - 1];
            uint256 startCRF = startPool.cumulativeRewardFactor;
            uint256 startCFF = startPool.cumulativeFeeFactor;
            (uint256 endCRF, uint256 endCFF) = _latestFactors(t, _endRound);
            if (startCRF == 0) startCRF = PRECISE;
            if (endCRF == 0) endCRF = PRECISE;
            fees += _precisePercOf(stake, endCFF - startCFF, startCRF);
            stake = _precisePercOf(stake, endCRF, startCRF);
            if (_delegator == del.delegateAddress) {
                stake += t.cumulativeRewards;
                fees += t.cumulativeFees;
            }
        }
    }

    function _latestFactors(Transcoder storage t, uint256 _round) private view returns (uint256 crf, uint256 cff) {
        crf = t.pools[_round].cumulativeRewardFactor;
        if (crf == 0 && t.lastRewardRound < _round) crf = t.pools[t.lastRewardRound].cumulativeRewardFactor;
        cff = t.pools[_round].cumulativeFeeFactor;
        if (cff == 0 && t.lastFeeRound < _round) cff = t.pools[t.lastFeeRound].cumulativeFeeFactor;
    }

    function pendingStake(address _delegator, uint256) external view returns (uint256 stake) {
        (stake, ) = _pendingStakeAndFees(_delegator, _round());
    }

    function pendingFees(address _delegator, uint256) external view returns (uint256 fees) {
        (, fees) = _pendingStakeAndFees(_delegator, _round());
    }

    // ---- stake bookkeeping and pool ----

    function _increaseTotalStake(address _delegate, uint256 _amount) private {
        if (isRegisteredTranscoder(_delegate)) {
            uint256 currStake = delegators[_delegate].delegatedAmount;
            uint256 newStake = currStake + _amount;
            uint256 round = _round();
            if (_poolContains(_delegate)) {
                _poolUpdate(_delegate, newStake);
                nextRoundTotalActiveStake += _amount;
                Transcoder storage t = transcoders[_delegate];
                if (t.lastActiveStakeUpdateRound < round) t.pools[round].totalStake = currStake;
                t.pools[round + 1].totalStake = newStake;
                t.lastActiveStakeUpdateRound = round + 1;
            } else {
                _tryToJoin(_delegate, newStake, round + 1);
            }
        }
        delegators[_delegate].delegatedAmount += _amount;
    }

    function _decreaseTotalStake(address _delegate, uint256 _amount) private {
        if (_poolContains(_delegate)) {
            uint256 currStake = delegators[_delegate].delegatedAmount;
            uint256 newStake = currStake - _amount;
            uint256 round = _round();
            _poolUpdate(_delegate, newStake);
            nextRoundTotalActiveStake -= _amount;
            Transcoder storage t = transcoders[_delegate];
            if (t.lastActiveStakeUpdateRound < round) t.pools[round].totalStake = currStake;
            t.lastActiveStakeUpdateRound = round + 1;
            t.pools[round + 1].totalStake = newStake;
        }
        delegators[_delegate].delegatedAmount -= _amount;
    }

    function _tryToJoin(address _transcoder, uint256 _stake, uint256 _activationRound) private {
        if (poolMaxSize == 0) return;
        uint256 pending = nextRoundTotalActiveStake;
        if (poolSize >= poolMaxSize) {
            address last = poolTail;
            uint256 lastStake = delegators[last].delegatedAmount;
            if (_stake <= lastStake) return;
            _poolRemove(last);
            transcoders[last].deactivationRound = _activationRound;
            pending -= lastStake;
            emit TranscoderDeactivated(last, _activationRound);
        }
        _poolInsert(_transcoder, _stake);
        pending += _stake;
        Transcoder storage t = transcoders[_transcoder];
        t.lastActiveStakeUpdateRound = _activationRound;
        t.activationRound = _activationRound;
        t.deactivationRound = MAX_FUTURE_ROUND;
        t.pools[_activationRound].totalStake = _stake;
        nextRoundTotalActiveStake = pending;
        emit TranscoderActivated(_transcoder, _activationRound);
    }

    function _resign(address _transcoder) private {
        _poolRemove(_transcoder);
        nextRoundTotalActiveStake -= delegators[_transcoder].delegatedAmount;
        uint256 deactivationRound = _round() + 1;
        transcoders[_transcoder].deactivationRound = deactivationRound;
        emit TranscoderDeactivated(_transcoder, deactivationRound);
    }

    function _poolContains(address _a) private view returns (bool) {
        return _a != address(0) && (poolHead == _a || poolNodes[_a].prev != address(0));
    }

    /// Linear search from the head: placed before the first node whose key is <= the new key.
    function _poolInsert(address _a, uint256 _key) private {
        address cur = poolHead;
        while (cur != address(0) && poolNodes[cur].key > _key) cur = poolNodes[cur].next;
        Node storage n = poolNodes[_a];
        n.key = _key;
        if (cur == address(0)) {
            n.prev = poolTail;
            n.next = address(0);
            if (poolTail != address(0)) poolNodes[poolTail].next = _a;
            else poolHead = _a;
            poolTail = _a;
        } else {
            address before = poolNodes[cur].prev;
            n.prev = before;
            n.next = cur;
            poolNodes[cur].prev = _a;
            if (before != address(0)) poolNodes[before].next = _a;
            else poolHead = _a;
        }
        poolSize++;
    }

    function _poolRemove(address _a) private {
        Node storage n = poolNodes[_a];
        if (n.prev != address(0)) poolNodes[n.prev].next = n.next;
        else poolHead = n.next;
        if (n.next != address(0)) poolNodes[n.next].prev = n.prev;
        else poolTail = n.prev;
        delete poolNodes[_a];
        poolSize--;
    }

    function _poolUpdate(address _a, uint256 _key) private {
        _poolRemove(_a);
        _poolInsert(_a, _key);
    }

    // ---- views ----

    function _round() private view returns (uint256) {
        return _roundsManager().currentRound();
    }

    function getTranscoder(address _transcoder)
        external
        view
        returns (
            uint256 lastRewardRound,
            uint256 rewardCut,
            uint256 feeShare,
            uint256 lastActiveStakeUpdateRound,
            uint256 activationRound,
            uint256 deactivationRound,
            uint256 activeCumulativeRewards,
            uint256 cumulativeRewards,
            uint256 cumulativeFees,
            uint256 lastFeeRound
        )
    {
        Transcoder storage t = transcoders[_transcoder];
        return (
            t.lastRewardRound,
            t.rewardCut,
            t.feeShare,
            t.lastActiveStakeUpdateRound,
            t.activationRound,
            t.deactivationRound,
            t.activeCumulativeRewards,
            t.cumulativeRewards,
            t.cumulativeFees,
            t.lastFeeRound
        );
    }

    function getTranscoderEarningsPoolForRound(address _transcoder, uint256 _round)
        external
        view
        returns (
            uint256 totalStake,
            uint256 transcoderRewardCut,
            uint256 transcoderFeeShare,
            uint256 cumulativeRewardFactor,
            uint256 cumulativeFeeFactor
        )
    {
        EarningsPool storage p = transcoders[_transcoder].pools[_round];
        return (p.totalStake, p.transcoderRewardCut, p.transcoderFeeShare, p.cumulativeRewardFactor, p.cumulativeFeeFactor);
    }

    function getDelegator(address _delegator)
        external
        view
        returns (
            uint256 bondedAmount,
            uint256 fees,
            address delegateAddress,
            uint256 delegatedAmount,
            uint256 startRound,
            uint256 lastClaimRound,
            uint256 nextUnbondingLockId
        )
    {
        Delegator storage d = delegators[_delegator];
        return (d.bondedAmount, d.fees, d.delegateAddress, d.delegatedAmount, d.startRound, d.lastClaimRound, d.nextUnbondingLockId);
    }

    function getDelegatorUnbondingLock(address _delegator, uint256 _id)
        external
        view
        returns (uint256 amount, uint256 withdrawRound)
    {
        UnbondingLock storage l = delegators[_delegator].locks[_id];
        return (l.amount, l.withdrawRound);
    }

    function isValidUnbondingLock(address _delegator, uint256 _id) external view returns (bool) {
        return delegators[_delegator].locks[_id].withdrawRound > 0;
    }

    function getTranscoderPoolSize() external view returns (uint256) {
        return poolSize;
    }

    function getTranscoderPoolMaxSize() external view returns (uint256) {
        return poolMaxSize;
    }

    function getFirstTranscoderInPool() external view returns (address) {
        return poolHead;
    }

    function getNextTranscoderInPool(address _transcoder) external view returns (address) {
        return poolNodes[_transcoder].next;
    }

    function isActiveTranscoder(address _transcoder) public view returns (bool) {
        Transcoder storage t = transcoders[_transcoder];
        uint256 round = _round();
        return t.activationRound <= round && round < t.deactivationRound;
    }

    function isRegisteredTranscoder(address _transcoder) public view returns (bool) {
        Delegator storage d = delegators[_transcoder];
        return d.delegateAddress == _transcoder && d.bondedAmount > 0;
    }

    function transcoderStatus(address _transcoder) external view returns (uint8) {
        return isRegisteredTranscoder(_transcoder) ? 1 : 0;
    }

    function delegatorStatus(address _delegator) public view returns (uint8) {
        Delegator storage d = delegators[_delegator];
        if (d.bondedAmount == 0) return 2;
        if (d.startRound > _round()) return 0;
        return 1;
    }

    function transcoderTotalStake(address _transcoder) external view returns (uint256) {
        return delegators[_transcoder].delegatedAmount;
    }

    function getTotalBonded() external view returns (uint256) {
        return currentRoundTotalActiveStake;
    }

    function treasuryRewardCutRate() external pure returns (uint256) {
        return 0;
    }

    function nextRoundTreasuryRewardCutRate() external pure returns (uint256) {
        return 0;
    }

    function treasuryBalanceCeiling() external pure returns (uint256) {
        return 0;
    }

    /// floor(a * floor(n * PRECISE / d) / PRECISE)
    function _precisePercOf(uint256 _a, uint256 _n, uint256 _d) private pure returns (uint256) {
        return (_a * ((_n * PRECISE) / _d)) / PRECISE;
    }
}
